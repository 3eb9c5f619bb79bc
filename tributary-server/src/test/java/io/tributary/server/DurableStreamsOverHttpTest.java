package io.tributary.server;

import static io.tributary.server.TestServers.append;
import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static io.tributary.server.TestServers.startAttempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Durable Streams routes through the real adapter: SSE on an attempt stream, large bodies. */
class DurableStreamsOverHttpTest {
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.newDatabase("server_ds"), b -> b);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void sseFollowsAnAttemptStreamLiveUntilTheAttemptCloses() throws Exception {
    var attempt = startAttempt(server);
    String id = attempt.get("execution_id").asString();
    String sse =
        "/v1/stream/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
            + "/attempts/0?offset=-1&live=sse";
    var response = TestServers.CLIENT.send(request(server, sse).build(), BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

    List<String> lines = new CopyOnWriteArrayList<>();
    var reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: control"));

    append(server, attempt, "frame_type=log", "live line".getBytes(StandardCharsets.UTF_8));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains("live line")));

    var closed =
        send(
            request(server, attemptPath(id, 0) + "/close")
                .header("Tributary-Handle", attempt.get("handle").asString())
                .POST(BodyPublishers.ofString("{\"reason\":\"attempt_success\"}"))
                .build());
    assertThat(closed.statusCode()).isEqualTo(200);
    reader.join(Duration.ofSeconds(10));
    assertThat(reader.isAlive()).as("the server ends the SSE response after the close").isFalse();
    assertThat(lines.getLast()).isEmpty();
    assertThat(lines).anyMatch(l -> l.contains("\"streamClosed\":true"));
  }

  @Test
  void attemptStreamsRefusePlainAppends() throws Exception {
    var attempt = startAttempt(server);
    String id = attempt.get("execution_id").asString();
    var post =
        send(
            request(server, "/v1/stream/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts/0")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"a\":1}"))
                .build());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void tenMebibytePostToANamedStreamIsStoredWhole() throws Exception {
    String stream = "/v1/stream/big-" + System.nanoTime();
    var created =
        send(request(server, stream).header("Content-Type", "application/octet-stream")
            .PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).isEqualTo(201);
    byte[] body = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) 7);
    var appended =
        send(request(server, stream).header("Content-Type", "application/octet-stream")
            .POST(BodyPublishers.ofByteArray(body)).build());
    assertThat(appended.statusCode()).isIn(200, 204);
    var head = send(request(server, stream).method("HEAD", BodyPublishers.noBody()).build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Stream-Next-Offset")).isPresent();
  }
}
