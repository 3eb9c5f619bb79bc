package io.tributary.server;

import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Subscriptions through a real server: restart survival and how they meet auth. */
class SubscriptionsOverHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(40);

  /** A loopback webhook receiver: 503 until told to accept, then 200 {"done":true}. */
  private static final class Receiver implements AutoCloseable {
    final HttpServer server;
    final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
    final List<JsonNode> refused = new CopyOnWriteArrayList<>();
    final AtomicBoolean accepting = new AtomicBoolean();

    Receiver() throws Exception {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var node = tools.jackson.databind.json.JsonMapper.shared().readTree(body);
            byte[] answer = "{\"done\":true}".getBytes(StandardCharsets.UTF_8);
            if (accepting.get()) {
              accepted.add(node);
              exchange.sendResponseHeaders(200, answer.length);
              exchange.getResponseBody().write(answer);
            } else {
              refused.add(node);
              exchange.sendResponseHeaders(503, -1);
            }
            exchange.close();
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private static java.net.http.HttpResponse<String> put(TributaryServer s, String path, String body, String... headers)
      throws Exception {
    var b = request(s, path).header("Content-Type", "application/json").PUT(BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  @Test
  void aDeliveryPendingWhenTheServerStopsIsMadeByTheNextServerOnTheDatabase() throws Exception {
    var db = TestServers.newDatabase("subscriptions_restart");
    try (var receiver = new Receiver()) {
      String wakeId;
      String tail;
      try (var first = TestServers.start(db, b -> b.webhookRetryBase(Duration.ofMillis(100)).webhookMaxAttempts(1000))) {
        var created =
            put(first, "/v1/stream/__ds/subscriptions/restart",
                "{\"type\":\"webhook\",\"pattern\":\"jobs/*\",\"webhook\":{\"url\":\"" + receiver.url() + "\"}}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(put(first, "/v1/stream/jobs/one", "{\"step\":1}").statusCode()).isEqualTo(201);
        await().atMost(WAIT).until(() -> receiver.refused.size() >= 2);
        wakeId = receiver.refused.getFirst().get("wake_id").asString();
        tail = receiver.refused.getFirst().get("streams").get(0).get("tail_offset").asString();
      }
      receiver.accepting.set(true);
      assertThat(receiver.accepted).isEmpty();
      try (var second = TestServers.start(db, b -> b)) {
        await().atMost(WAIT).until(() -> !receiver.accepted.isEmpty());
        var delivered = receiver.accepted.getFirst();
        // the same wake, not a new one: the pending delivery was resumed from the database
        assertThat(delivered.get("wake_id").asString()).isEqualTo(wakeId);
        assertThat(delivered.get("generation").asLong()).isEqualTo(1);
        await().atMost(WAIT).until(() -> {
          var sub = json(send(request(second, "/v1/stream/__ds/subscriptions/restart").GET().build()));
          return sub.get("streams").get(0).get("acked_offset").asString().equals(tail);
        });
      }
    }
  }

  @Test
  void withAuthTheAdminManagesSubscriptionsAndReceiversCallBackWithTheWakeToken() throws Exception {
    var db = TestServers.newDatabase("subscriptions_auth");
    try (var receiver = new Receiver();
        var server = TestServers.start(db, b -> b.authToken("admin-secret"))) {
      receiver.accepting.set(false);
      var body = "{\"type\":\"webhook\",\"pattern\":\"auth/*\",\"webhook\":{\"url\":\"" + receiver.url() + "\"}}";
      assertThat(put(server, "/v1/stream/__ds/subscriptions/a", body).statusCode()).isEqualTo(401);
      assertThat(put(server, "/v1/stream/__ds/subscriptions/a", body, "Authorization", "Bearer admin-secret").statusCode())
          .isEqualTo(201);
      assertThat(send(request(server, "/v1/stream/__ds/jwks.json").GET().build()).statusCode()).isEqualTo(200);
      assertThat(send(request(server, "/v1/stream/__ds/subscriptions/a").GET().build()).statusCode()).isEqualTo(401);

      put(server, "/v1/stream/auth/s", "{\"x\":1}", "Authorization", "Bearer admin-secret");
      await().atMost(WAIT).until(() -> !receiver.refused.isEmpty());
      var n = receiver.refused.getFirst();
      var callback =
          send(
              request(server, "/v1/stream/__ds/subscriptions/a/callback")
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + n.get("callback_token").asString())
                  .POST(BodyPublishers.ofString(
                      "{\"wake_id\":\"" + n.get("wake_id").asString() + "\",\"generation\":1,\"done\":true}"))
                  .build());
      assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
      var forged =
          send(
              request(server, "/v1/stream/__ds/subscriptions/a/callback")
                  .header("Authorization", "Bearer admin-secret")
                  .POST(BodyPublishers.ofString("{}"))
                  .build());
      assertThat(forged.statusCode()).isEqualTo(401);
    }
  }
}
