package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.testing.EmbeddedPostgres;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two server <em>processes</em> (separate JVMs, each started through the real {@code serve}
 * command) on one database: every stream is served by both, and a reader parked on one is woken
 * by a write through the other, which can only travel through PostgreSQL (LISTEN/NOTIFY). The
 * servers' re-check interval is set far beyond every wait here, so a reader that returns in time
 * was woken by a notification, not by polling.
 */
class TwoServerProcessesTest {
  /** Long-poll timeout given to both servers; a long-poll that is not woken ends with 204 after it. */
  private static final Duration LONG_POLL = Duration.ofSeconds(10);
  private static final long BLOCK_MS = 10_000;

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private static ServeProcess a;
  private static ServeProcess b;

  @BeforeAll
  static void start() throws Exception {
    EmbeddedPostgres.createDatabase("two_procs");
    String db = "postgresql://postgres@127.0.0.1:" + EmbeddedPostgres.shared().getPort() + "/two_procs";
    // both start at once, as two replicas would: they also race to migrate the empty database
    a = launch("a", db);
    b = launch("b", db);
    a.awaitUrl();
    b.awaitUrl();
  }

  private static ServeProcess launch(String name, String db) throws Exception {
    return ServeProcess.launch(name, List.of(
        "--db", db,
        "--long-poll-timeout", LONG_POLL.toSeconds() + "s",
        // far beyond every block and long-poll here: only a notification can wake a reader
        "--tail-recheck-interval", "120s",
        "--pool-size", "4"));
  }

  @AfterAll
  static void stop() {
    try {
      if (a != null) {
        a.stop();
      }
    } finally {
      if (b != null) {
        b.stop();
      }
    }
  }

  @Test
  void serversAreSeparateProcesses() {
    assertThat(a.process.pid()).isNotEqualTo(b.process.pid()).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(a.url).isNotEqualTo(b.url);
    assertThat(a.process.isAlive()).isTrue();
    assertThat(b.process.isAlive()).isTrue();
  }

  @Test
  void restTailParkedOnAReturnsTheFrameAppendedThroughB() throws Exception {
    JsonNode attempt = startAttempt(b);
    String stream = attemptPath(attempt, 0) + "/stream";

    long started = System.nanoTime();
    var tail = CLIENT.sendAsync(get(a, stream + "/tail?after=0-0&block_ms=" + BLOCK_MS), BodyHandlers.ofString());
    awaitParkedTails(a, 1, tail);

    var appended = append(b, attempt, "frame_type=log", "from process b");
    assertThat(appended.statusCode()).as(appended.body()).isEqualTo(200);

    var woken = tail.get(BLOCK_MS + 5_000, TimeUnit.MILLISECONDS);
    long elapsedMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertThat(woken.statusCode()).as(woken.body()).isEqualTo(200);
    JsonNode frames = json(woken).get("frames");
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0).get("id").asString()).isEqualTo(json(appended).get("id").asString());
    assertThat(frames.get(0).get("fields").get("payload").asString()).isEqualTo("from process b");
    assertThat(frames.get(0).get("fields").get("frame_type").asString()).isEqualTo("log");
    assertThat(elapsedMs).as("woken by the append, not by the end of its %d ms block", BLOCK_MS).isLessThan(BLOCK_MS);
  }

  @Test
  void durableStreamsLongPollOnAIsWokenByAPostThroughB() throws Exception {
    String stream = "/v1/stream/two-procs-poll-" + System.nanoTime();
    var created = send(request(a, stream).header("Content-Type", "text/plain").PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).isEqualTo(201);
    String tail = created.headers().firstValue("Stream-Next-Offset").orElseThrow();

    var poll = CLIENT.sendAsync(get(a, stream + "?offset=" + tail + "&live=long-poll"), BodyHandlers.ofString());
    // nothing is there yet: the long-poll must still be waiting (it would only end by itself after 10 s)
    Thread.sleep(500);
    assertThat(poll.isDone()).as("long-poll at the tail answered before any append").isFalse();

    var appended =
        send(request(b, stream).header("Content-Type", "text/plain").POST(BodyPublishers.ofString("through b")).build());
    assertThat(appended.statusCode()).isIn(200, 204);

    // a long-poll that was not woken still finds the data when it re-reads at its timeout, so
    // only an answer well before the timeout shows the notification crossed the processes
    var woken = poll.get(LONG_POLL.toMillis() - 2_000, TimeUnit.MILLISECONDS);
    assertThat(woken.statusCode()).as("204 would mean the long-poll timed out instead of being woken").isEqualTo(200);
    assertThat(woken.body()).isEqualTo("through b");
    assertThat(woken.headers().firstValue("Stream-Next-Offset"))
        .isEqualTo(appended.headers().firstValue("Stream-Next-Offset"));
  }

  @Test
  void aStreamCreatedOnAIsServedWithItsDataByB() throws Exception {
    String stream = "/v1/stream/two-procs-seen-" + System.nanoTime();
    var missing = send(request(b, stream).method("HEAD", BodyPublishers.noBody()).build());
    assertThat(missing.statusCode()).isEqualTo(404);

    var created = send(request(a, stream).header("Content-Type", "text/plain").PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).isEqualTo(201);
    var first = send(request(a, stream).header("Content-Type", "text/plain").POST(BodyPublishers.ofString("one,")).build());
    var second = send(request(a, stream).header("Content-Type", "text/plain").POST(BodyPublishers.ofString("two")).build());
    assertThat(first.statusCode()).isIn(200, 204);
    assertThat(second.statusCode()).isIn(200, 204);
    String endOnA = second.headers().firstValue("Stream-Next-Offset").orElseThrow();

    var head = send(request(b, stream).method("HEAD", BodyPublishers.noBody()).build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(head.headers().firstValue("Stream-Next-Offset")).hasValue(endOnA);

    var read = send(get(b, stream + "?offset=-1"));
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("one,two");
    assertThat(read.headers().firstValue("Stream-Next-Offset")).hasValue(endOnA);
  }

  @Test
  void closingTheAttemptOnBWakesATailAndAnSseReaderOnAWithTheCloseMarkers() throws Exception {
    JsonNode attempt = startAttempt(b);
    String id = attempt.get("execution_id").asString();
    var appended = append(b, attempt, "frame_type=log", "last line");
    assertThat(appended.statusCode()).isEqualTo(200);
    String lastId = json(appended).get("id").asString();

    // an SSE reader on A that has caught up with the frame
    String sse = "/v1/stream/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts/0?offset=-1&live=sse";
    var sseResponse = CLIENT.send(get(a, sse), BodyHandlers.ofLines());
    assertThat(sseResponse.statusCode()).isEqualTo(200);
    assertThat(sseResponse.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread sseReader = Thread.ofVirtual().start(() -> sseResponse.body().forEach(lines::add));
    try {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains("last line")));

      // and a REST tail on A parked after that frame
      long started = System.nanoTime();
      var tail = CLIENT.sendAsync(
          get(a, attemptPath(attempt, 0) + "/stream/tail?after=" + lastId + "&block_ms=" + BLOCK_MS),
          BodyHandlers.ofString());
      awaitParkedTails(a, 1, tail);
      assertThat(lines).noneMatch(l -> l.contains("\"streamClosed\":true"));

      var closed = send(request(b, attemptPath(attempt, 0) + "/close")
          .header("Tributary-Handle", attempt.get("handle").asString())
          .POST(BodyPublishers.ofString("{\"reason\":\"attempt_success\"}"))
          .build());
      assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);

      var woken = tail.get(BLOCK_MS + 5_000, TimeUnit.MILLISECONDS);
      long elapsedMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
      assertThat(woken.statusCode()).as(woken.body()).isEqualTo(200);
      JsonNode body = json(woken);
      assertThat(body.get("frames")).isEmpty();
      assertThat(body.get("closed_reason").asString()).isEqualTo("attempt_success");
      assertThat(body.get("closed_at").asLong()).isPositive();
      assertThat(elapsedMs).as("woken by the close, not by the end of its %d ms block", BLOCK_MS).isLessThan(BLOCK_MS);

      sseReader.join(Duration.ofSeconds(10));
      assertThat(sseReader.isAlive()).as("A ends the SSE response after the close through B").isFalse();
      assertThat(lines).anyMatch(l -> l.contains("\"streamClosed\":true"));
      assertThat(lines.getLast()).isEmpty();
    } finally {
      sseReader.interrupt();
    }
  }

  // ---- HTTP helpers against a process's URL ----

  private static HttpRequest.Builder request(ServeProcess server, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(server.url + pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  private static HttpRequest get(ServeProcess server, String pathAndQuery) {
    return request(server, pathAndQuery).GET().build();
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) {
    return JsonMapper.shared().readTree(response.body());
  }

  private static String attemptPath(JsonNode attempt, long index) {
    return "/v1/executions/" + URLEncoder.encode(attempt.get("execution_id").asString(), StandardCharsets.UTF_8)
        + "/attempts/" + index;
  }

  /** Mints an execution and starts its first attempt on {@code server}; returns the handle answer. */
  private static JsonNode startAttempt(ServeProcess server) throws Exception {
    var minted = send(request(server, "/v1/executions").POST(BodyPublishers.noBody()).build());
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    String id = json(minted).get("execution_id").asString();
    var started = send(request(server, "/v1/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts")
        .POST(BodyPublishers.ofString("{\"lease_ttl_ms\":60000}"))
        .build());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonNode attempt = json(started);
    assertThat(attempt.get("attempt_index").asLong()).isZero();
    return attempt;
  }

  private static HttpResponse<String> append(ServeProcess server, JsonNode attempt, String query, String payload)
      throws Exception {
    return send(request(server, attemptPath(attempt, attempt.get("attempt_index").asLong()) + "/stream?" + query)
        .header("Tributary-Handle", attempt.get("handle").asString())
        .POST(BodyPublishers.ofString(payload))
        .build());
  }

  /**
   * Waits until {@code server} reports {@code n} REST tails running (its {@code
   * tributary_stream_ops_in_use} gauge), so the write that follows must wake a parked tail.
   */
  private static void awaitParkedTails(ServeProcess server, int n, CompletableFuture<?> tail) {
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
      assertThat(tail.isDone()).as("tail answered before anything was written: %s", tail.isDone() ? tail.join() : "")
          .isFalse();
      return streamOpsInUse(server) == n;
    });
  }

  private static final Pattern IN_USE = Pattern.compile("(?m)^tributary_stream_ops_in_use(?:\\{[^}]*})? (\\S+)$");

  private static double streamOpsInUse(ServeProcess server) throws Exception {
    var metrics = send(get(server, "/metrics"));
    assertThat(metrics.statusCode()).isEqualTo(200);
    Matcher m = IN_USE.matcher(metrics.body());
    assertThat(m.find()).as("gauge in %s", metrics.body()).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
