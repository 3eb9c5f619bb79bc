package io.tributary.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real reverse proxy in front of a real server: Debian's nginx with nothing but {@code
 * proxy_pass} (so it speaks HTTP/1.0 to the server and buffers by default). A worker appends
 * through nginx while one reader follows the attempt stream over SSE and another over long-poll,
 * both through nginx, until the attempt closes: each must see every frame once, in order, and
 * the close.
 *
 * <p>Needs nginx ({@code .ci/run} installs it). Under CI ({@code CI} set, e.g. {@code true}) a missing nginx fails
 * the test; elsewhere it is skipped with a message saying so.
 */
class NginxProxyTest {
  private static final JsonMapper JSON = JsonMapper.shared();
  private static final int FRAMES = 40;

  private static TributaryServer server;
  private static Nginx nginx;

  @BeforeAll
  static void start() throws Exception {
    Path binary = Nginx.binary().orElse(null);
    if (binary == null) {
      String why = "nginx is not installed (apt-get install -y nginx; .ci/run does it)";
      String ci = System.getenv("CI");
      if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
        fail("CI=true but " + why + ": the reverse-proxy test cannot run");
      }
      Assumptions.abort("SKIPPED, not passed: " + why);
    }
    server = TestServers.start(TestServers.newDatabase("server_nginx"), b -> b);
    nginx = Nginx.proxying(binary, server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (nginx != null) {
        nginx.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static HttpRequest.Builder viaNginx(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(nginx.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  /** What a follower saw: message ids in arrival order, and whether it saw the close. */
  private record Followed(List<String> ids, List<JsonNode> messages, boolean closed) {}

  @Test
  void sseAndLongPollFollowAnAttemptStreamThroughNginxUntilItCloses() throws Exception {
    var minted = TestServers.send(viaNginx("/v1/executions").POST(BodyPublishers.noBody()).build());
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    String id = json(minted).get("execution_id").asString();
    String eid = URLEncoder.encode(id, UTF_8);
    var started =
        TestServers.send(
            viaNginx("/v1/executions/" + eid + "/attempts")
                .POST(BodyPublishers.ofString("{\"lease_ttl_ms\":60000}"))
                .build());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String handle = json(started).get("handle").asString();
    String attempt = "/v1/executions/" + eid + "/attempts/0";
    String stream = "/v1/stream/executions/" + eid + "/attempts/0";

    var appended = new ArrayList<String>();
    Followed sse;
    Followed longPoll;
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Followed> sseReader = exec.submit(() -> followSse(stream));
      Future<Followed> pollReader = exec.submit(() -> followLongPoll(stream));
      for (int i = 0; i < FRAMES; i++) {
        // a summary patch every tenth frame: it must come through as a JSON value
        boolean summary = i % 10 == 9;
        String query = summary ? "?mode=summary" : "?frame_type=log";
        String body = summary ? "{\"done\":" + (i + 1) + "}" : "line " + i;
        var r =
            TestServers.send(
                viaNginx(attempt + "/stream" + query)
                    .header("Tributary-Handle", handle)
                    .POST(BodyPublishers.ofString(body))
                    .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        appended.add(json(r).get("id").asString());
        if (i % 8 == 0) {
          Thread.sleep(150); // let the readers catch up and park, so later frames arrive live
        }
      }
      var closed =
          TestServers.send(
              viaNginx(attempt + "/close")
                  .header("Tributary-Handle", handle)
                  .POST(BodyPublishers.ofString("{\"reason\":\"attempt_success\"}"))
                  .build());
      assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
      sse = sseReader.get(20, TimeUnit.SECONDS);
      longPoll = pollReader.get(20, TimeUnit.SECONDS);
    }

    for (var followed : List.of(sse, longPoll)) {
      assertThat(followed.ids()).containsExactlyElementsOf(appended);
      assertThat(followed.closed()).isTrue();
      assertThat(followed.messages().get(9).get("payload").toString()).isEqualTo("{\"done\":10}");
      assertThat(followed.messages().get(0).get("payload").asString()).isEqualTo("line 0");
    }
    // the readers really went through the proxy
    var log = String.join("\n", nginx.accessLog());
    assertThat(log).contains("live=sse").contains("live=long-poll").contains("/close");
  }

  /**
   * What a stock {@code proxy_pass} does to other requests, as docs/proxies.md describes it:
   * chunked request bodies arrive, bodies over nginx's default {@code client_max_body_size} (1 MiB)
   * are refused by nginx itself, and a Location comes back naming the proxy.
   */
  @Test
  void stockNginxPassesChunkedBodiesCapsThemAt1MiBAndMapsLocation() throws Exception {
    String stream = "/v1/stream/nginx-facts-" + System.nanoTime();
    var created =
        TestServers.send(
            viaNginx(stream)
                .header("Content-Type", "text/plain")
                .PUT(BodyPublishers.ofByteArrays(List.of("created ".getBytes(UTF_8), "chunked".getBytes(UTF_8))))
                .build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    // the server builds Location from the Host it got (the upstream's); nginx's default
    // proxy_redirect maps that back to the proxy's own address
    assertThat(created.headers().firstValue("Location")).hasValue(nginx.baseUrl() + stream);
    var read = TestServers.send(viaNginx(stream + "?offset=-1").build());
    assertThat(read.body()).isEqualTo("created chunked");

    var big = new byte[(1 << 20) + 1];
    java.util.Arrays.fill(big, (byte) 'x');
    var tooBig =
        TestServers.send(
            viaNginx(stream).header("Content-Type", "text/plain").POST(BodyPublishers.ofByteArray(big)).build());
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(tooBig.body()).contains("nginx");
    assertThat(TestServers.send(viaNginx(stream + "?offset=-1").build()).body()).isEqualTo("created chunked");
  }

  /** One SSE response from the start until the control event that reports the close. */
  private static Followed followSse(String stream) throws Exception {
    var response =
        TestServers.CLIENT.send(viaNginx(stream + "?offset=-1&live=sse").build(), BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    var ids = new ArrayList<String>();
    var messages = new ArrayList<JsonNode>();
    boolean closed = false;
    String event = null;
    var data = new StringBuilder();
    try (var lines = response.body()) {
      for (var it = lines.iterator(); it.hasNext() && !closed; ) {
        String line = it.next();
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).stripLeading());
        } else if (line.isEmpty() && event != null) {
          var value = JSON.readTree(data.toString());
          if (event.equals("data")) {
            for (var m : value) {
              ids.add(m.get("id").asString());
              messages.add(m);
            }
          } else if (event.equals("control") && value.path("streamClosed").asBoolean(false)) {
            closed = true;
          }
          event = null;
          data.setLength(0);
        }
      }
    }
    return new Followed(ids, messages, closed);
  }

  /** Long-polls from the start, echoing offsets and cursors, until a reply says the stream closed. */
  private static Followed followLongPoll(String stream) throws Exception {
    var ids = new ArrayList<String>();
    var messages = new ArrayList<JsonNode>();
    String offset = "-1";
    String cursor = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      String query = "?offset=" + offset + "&live=long-poll" + (cursor == null ? "" : "&cursor=" + cursor);
      var r = TestServers.send(viaNginx(stream + query).build());
      assertThat(r.statusCode()).as(r.body()).isIn(200, 204);
      if (r.statusCode() == 200) {
        for (var m : JSON.readTree(r.body())) {
          ids.add(m.get("id").asString());
          messages.add(m);
        }
      }
      offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
      cursor = r.headers().firstValue("Stream-Cursor").orElse(cursor);
      if (r.headers().firstValue("Stream-Closed").orElse("").equals("true")) {
        return new Followed(ids, messages, true);
      }
    }
    return new Followed(ids, messages, false);
  }
}
