package io.tributary.server;

import static io.tributary.server.TestServers.append;
import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static io.tributary.server.TestServers.startAttempt;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real server on a random port, driven by the JDK HttpClient. */
class ServerEndToEndTest {
  private static final int MAX_BODY = 11 * 1024 * 1024;
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server =
        TestServers.start(
            TestServers.newDatabase("server_e2e"),
            b -> b.maxBodyBytes(MAX_BODY).maxFrameBytes(MAX_BODY));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void healthAnswersUp() throws Exception {
    var health = send(request(server, "/health").build());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("{\"status\":\"UP\",\"database\":\"UP\",\"listener\":\"UP\"}");
  }

  @Test
  void tailIsWokenByAnAppendThroughRest() throws Exception {
    var attempt = startAttempt(server);
    String stream = attemptPath(attempt.get("execution_id").asString(), 0) + "/stream";
    var tail =
        TestServers.CLIENT.sendAsync(
            request(server, stream + "/tail?after=0-0&block_ms=20000").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());

    var appended = append(server, attempt, "frame_type=log", "wake up".getBytes(StandardCharsets.UTF_8));
    assertThat(appended.statusCode()).isEqualTo(200);

    var woken = tail.get();
    assertThat(woken.statusCode()).isEqualTo(200);
    var frame = json(woken).get("frames").get(0);
    assertThat(frame.get("id").asString()).isEqualTo(json(appended).get("id").asString());
    assertThat(frame.get("fields").get("payload").asString()).isEqualTo("wake up");
    assertThat(frame.get("fields").get("frame_type").asString()).isEqualTo("log");
  }

  @Test
  void tenMebibyteBodiesPassTheAdapterIntact() throws Exception {
    var attempt = startAttempt(server);
    byte[] payload = new byte[10 * 1024 * 1024];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    var appended = append(server, attempt, "", payload);
    assertThat(appended.statusCode()).isEqualTo(200);

    var read = send(request(server, attemptPath(attempt.get("execution_id").asString(), 0) + "/stream").build());
    String stored = json(read).get("frames").get(0).get("fields").get("payload").asString();
    assertThat(stored).isEqualTo(new String(payload, StandardCharsets.US_ASCII));
  }

  @Test
  void bodiesOverTheLimitGet413WithTheJsonEnvelope() throws Exception {
    var attempt = startAttempt(server);
    String stream = attemptPath(attempt.get("execution_id").asString(), 0) + "/stream";
    // only the head goes out: the server refuses from its Content-Length (see answerToHead)
    var tooBig = TestServers.answerToHead(
        server, "POST", stream, "Content-Type: application/octet-stream", "Content-Length: " + (MAX_BODY + 1));
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tools.jackson.databind.json.JsonMapper.shared().readTree(tooBig.body()).get("kind").asString()).isEqualTo("payload_too_large");
    assertThat(tooBig.headers().get("content-type")).isEqualTo("application/json");
  }

  @Test
  void restErrorsKeepTheirStatusAndEnvelopeOverHttp() throws Exception {
    var attempt = startAttempt(server);
    String stream = attemptPath(attempt.get("execution_id").asString(), 0) + "/stream";
    var limit = send(request(server, stream + "?limit=0").build());
    assertThat(limit.statusCode()).isEqualTo(400);
    assertThat(json(limit).get("error").asString()).isEqualTo("limit must be >= 1");

    var noHandle = send(request(server, stream).POST(BodyPublishers.ofString("x")).build());
    assertThat(noHandle.statusCode()).isEqualTo(400);

    var unknown = send(request(server, "/nowhere").build());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("kind").asString()).isEqualTo("not_found");
  }

  @Test
  void metricsCountRequestsByRouteAndStatus() throws Exception {
    send(request(server, "/health").build());
    var metrics = send(request(server, "/metrics").build());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("tributary_http_requests_seconds_count{method=\"GET\",route=\"health\",status=\"200\"}")
        .contains("tributary_stream_ops_in_use");
  }

  @Test
  void fiftyParkedTailsAllWakeOnOneAppend() throws Exception {
    var attempt = startAttempt(server);
    String tail = attemptPath(attempt.get("execution_id").asString(), 0) + "/stream/tail?block_ms=20000";
    var parked = new java.util.ArrayList<CompletableFuture<java.net.http.HttpResponse<String>>>();
    for (int i = 0; i < 50; i++) {
      parked.add(TestServers.CLIENT.sendAsync(request(server, tail).build(), java.net.http.HttpResponse.BodyHandlers.ofString()));
    }
    append(server, attempt, "", "all of you".getBytes(StandardCharsets.UTF_8));
    for (var f : parked) {
      assertThat(json(f.get()).get("count").asInt()).isEqualTo(1);
    }
  }
}
