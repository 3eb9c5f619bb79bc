package io.tributary.server;

import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What any HTTP client meets at the edge: request bodies of unknown length (chunked) on every
 * write route, {@code Cache-Control} on Durable Streams reads, {@code Retry-After} on a 429.
 */
class HttpEdgeTest {
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.newDatabase("server_edge"), b -> b.maxStreamOps(1));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /**
   * A body published in several pieces with no length known up front: the JDK client sends it
   * with {@code Transfer-Encoding: chunked}, one chunk or more per piece.
   */
  private static BodyPublisher chunked(String body) {
    var pieces = new ArrayList<byte[]>();
    var bytes = body.getBytes(UTF_8);
    for (int i = 0; i < bytes.length; i += 3) {
      pieces.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 3)));
    }
    var publisher = BodyPublishers.ofByteArrays(pieces);
    assertThat(publisher.contentLength()).as("unknown length, so the client chunks").isEqualTo(-1);
    return publisher;
  }

  private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    var b = request(server, path).POST(chunked(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  @Test
  void everyWriteRouteAcceptsAChunkedBody() throws Exception {
    var minted = post("/v1/executions", "{\"lane_id\":\"lane-7\"}");
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    String id = json(minted).get("execution_id").asString();
    String attempts = "/v1/executions/" + URLEncoder.encode(id, UTF_8) + "/attempts";

    var started = post(attempts, "{\"lease_ttl_ms\":61000}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    assertThat(json(started).get("lease_ttl_ms").asLong()).isEqualTo(61_000);
    String handle = json(started).get("handle").asString();
    String attempt = attemptPath(id, 0);

    var renewed = post(attempt + "/renew", "{\"lease_ttl_ms\":62000}", "Tributary-Handle", handle);
    assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(200);
    assertThat(json(renewed).get("lease_ttl_ms").asLong()).isEqualTo(62_000);

    String line = "a log line sent in pieces of three bytes";
    var appended = post(attempt + "/stream?frame_type=log", line, "Tributary-Handle", handle);
    assertThat(appended.statusCode()).as(appended.body()).isEqualTo(200);
    var summary = post(attempt + "/stream?mode=summary", "{\"progress\":50}", "Tributary-Handle", handle);
    assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);

    var closed = post(attempt + "/close", "{\"reason\":\"attempt_failure\"}", "Tributary-Handle", handle);
    assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
    assertThat(json(closed).get("closed_reason").asString()).isEqualTo("attempt_failure");

    var frames = json(send(request(server, attempt + "/stream").build()));
    assertThat(frames.get("frames").get(0).get("fields").get("payload").asString()).isEqualTo(line);
    assertThat(frames.get("closed_reason").asString()).isEqualTo("attempt_failure");
    var doc = json(send(request(server, attempt + "/summary").build()));
    assertThat(doc.get("document").toString()).isEqualTo("{\"progress\":50}");

    // reclaim starts the next attempt; its body is chunked too
    var reclaimed = post("/v1/executions/" + URLEncoder.encode(id, UTF_8) + "/reclaim", "{\"lease_ttl_ms\":63000}");
    assertThat(reclaimed.statusCode()).as(reclaimed.body()).isEqualTo(200);
    assertThat(json(reclaimed).get("lease_ttl_ms").asLong()).isEqualTo(63_000);

    // Durable Streams: create with an initial body, then append
    String stream = "/v1/stream/edge-chunked-" + System.nanoTime();
    var created =
        send(request(server, stream).header("Content-Type", "text/plain").PUT(chunked("first part, ")).build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    var dsAppended = post(stream, "second part", "Content-Type", "text/plain");
    assertThat(dsAppended.statusCode()).as(dsAppended.body()).isEqualTo(204);
    assertThat(send(request(server, stream + "?offset=-1").build()).body()).isEqualTo("first part, second part");
  }

  @Test
  void durableStreamsReadsCarryTheCacheControlTheProtocolRecommends() throws Exception {
    var attempt = TestServers.startAttempt(server);
    String id = attempt.get("execution_id").asString();
    String ds = "/v1/stream/executions/" + URLEncoder.encode(id, UTF_8) + "/attempts/0";
    TestServers.append(server, attempt, "frame_type=log", "x".getBytes(UTF_8));

    // at the tail of an open stream: revalidate (it will grow), never a stale "up to date"
    assertThat(cacheControl(ds + "?offset=-1")).isEqualTo("no-cache");
    assertThat(cacheControl(ds + "?offset=now")).isEqualTo("no-store");
    var head = send(request(server, ds).method("HEAD", BodyPublishers.noBody()).build());
    assertThat(head.headers().firstValue("Cache-Control")).hasValue("no-store");

    send(
        request(server, attemptPath(id, 0) + "/close")
            .header("Tributary-Handle", attempt.get("handle").asString())
            .POST(BodyPublishers.ofString("{\"reason\":\"attempt_success\"}"))
            .build());
    // a closed stream's range never changes: shared caches may keep it
    assertThat(cacheControl(ds + "?offset=-1")).isEqualTo("public, max-age=60, stale-while-revalidate=300");
    var longPoll = send(request(server, ds + "?offset=-1&live=long-poll").build());
    assertThat(longPoll.statusCode()).isEqualTo(200);
    assertThat(longPoll.headers().firstValue("Cache-Control")).hasValue("public, max-age=60, stale-while-revalidate=300");
    var sse = send(request(server, ds + "?offset=-1&live=sse").build());
    assertThat(sse.headers().firstValue("Cache-Control")).hasValue("no-cache");
  }

  @Test
  void withAuthOnCacheableReadsArePrivate() throws Exception {
    String admin = "edge-admin-token-0123456789";
    try (var authed =
        TestServers.start(TestServers.newDatabase("server_edge_auth"), b -> b.authToken(admin))) {
      String stream = "/v1/stream/edge-private-" + System.nanoTime();
      var put =
          HttpRequest.newBuilder(java.net.URI.create(authed.baseUrl() + stream))
              .header("Authorization", "Bearer " + admin)
              .header("Content-Type", "text/plain")
              .header("Stream-Closed", "true")
              .PUT(BodyPublishers.ofString("done"))
              .build();
      assertThat(send(put).statusCode()).isEqualTo(201);
      var read =
          send(
              HttpRequest.newBuilder(java.net.URI.create(authed.baseUrl() + stream + "?offset=-1"))
                  .header("Authorization", "Bearer " + admin)
                  .build());
      assertThat(read.body()).isEqualTo("done");
      assertThat(read.headers().firstValue("Cache-Control"))
          .hasValue("private, max-age=60, stale-while-revalidate=300");
    }
  }

  @Test
  void theStreamOpLimitAnswers429WithRetryAfter() throws Exception {
    var attempt = TestServers.startAttempt(server);
    String tail = attemptPath(attempt.get("execution_id").asString(), 0) + "/stream/tail";
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      // holds the only permit for up to 20 s; on a busy machine it is restarted should it end early
      var holder = exec.submit(() -> send(request(server, tail + "?block_ms=20000").build()));
      HttpResponse<String> refused = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (refused == null && System.nanoTime() < deadline) {
        if (holder.isDone()) {
          holder = exec.submit(() -> send(request(server, tail + "?block_ms=20000").build()));
        }
        var r = send(request(server, tail + "?block_ms=0").build());
        if (r.statusCode() == 429) {
          refused = r;
        } else {
          Thread.sleep(20);
        }
      }
      assertThat(refused).as("a second tail while the first holds the permit").isNotNull();
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(json(refused).get("kind").asString()).isEqualTo("resource_exhausted");
      assertThat(json(refused).get("retryable").asBoolean()).isTrue();
      TestServers.append(server, attempt, "frame_type=log", "wake".getBytes(UTF_8));
      assertThat(holder.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  private static String cacheControl(String path) throws Exception {
    HttpResponse<String> r = send(request(server, path).build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("Cache-Control").orElse(null);
  }
}
