package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.server.TributaryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker half of the SDK against a real server: appends, summary, lease, close, errors. */
class WorkerTest {
  private static TributaryServer server;
  private static TributaryClient client;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.newDatabase(), b -> b.maxFrameBytes(1024));
    client = Servers.client(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void appendsInEveryModeSyncAndPipelinedThenCloses() {
    String id = client.mintExecution();
    assertThat(id).matches("\\{fp:\\d+}:[0-9a-f-]{36}");
    try (var attempt = client.startAttempt(id, Duration.ofSeconds(30))) {
      assertThat(attempt.index()).isZero();
      var first = attempt.append(NewFrame.durable("log", "hello"));
      assertThat(first.replayed()).isFalse();
      var futures = new ArrayList<CompletableFuture<Appended>>();
      for (int i = 0; i < 100; i++) {
        futures.add(attempt.appendAsync(NewFrame.durable("log", "line " + i)));
      }
      futures.forEach(CompletableFuture::join);
      var patched = attempt.patchSummary("{\"pct\":50,\"phase\":\"build\"}");
      assertThat(patched.summaryVersion()).isEqualTo(1L);
      attempt.append(NewFrame.bestEffort("token", "tok".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5)));
      attempt.append(NewFrame.durable("bin", new byte[] {(byte) 0xff, 0, (byte) 0xfe}).withCorrelationId("c-1"));
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      attempt.close(CloseReason.ATTEMPT_SUCCESS); // again: nothing happens
    }
    var page = client.read(id, 0, "start", "end", 1000);
    assertThat(page.frames()).hasSize(104);
    assertThat(page.closedReason()).isEqualTo("attempt_success");
    assertThat(page.frames().stream().filter(f -> f.frameType().equals("log")).map(StoredFrame::text))
        .hasSize(101)
        .contains("hello", "line 0", "line 99")
        .doesNotHaveDuplicates();
    var binary = page.frames().get(103);
    assertThat(binary.payload()).containsExactly(0xff, 0, 0xfe);
    assertThat(binary.correlationId()).isEqualTo("c-1");
    assertThat(client.summary(id, 0).orElseThrow().documentJson()).isEqualTo("{\"pct\":50,\"phase\":\"build\"}");
    assertThat(client.latestAttempt(id)).contains(0L);
    assertThatThrownBy(() -> client.startAttempt(id, Duration.ofSeconds(5)).append(NewFrame.durable("log", new byte[2048])))
        .isInstanceOf(BadRequestException.class)
        .satisfies(e -> assertThat(((BadRequestException) e).kind()).isEqualTo("retention_limit_exceeded"));
    assertThat(client.latestAttempt(id)).contains(1L);
  }

  @Test
  void leaseIsRenewedInTheBackgroundPastItsTtl() throws Exception {
    String id = client.mintExecution();
    try (var attempt = client.startAttempt(id, Duration.ofMillis(900))) {
      long firstExpiry = attempt.leaseExpiresAtMs();
      Thread.sleep(2_500); // the sweeper (200 ms) would have closed an unrenewed lease by now
      assertThat(attempt.leaseExpiresAtMs()).isGreaterThan(firstExpiry);
      assertThat(attempt.append(NewFrame.durable("log", "still mine")).id()).isNotNull();
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
    }
    assertThat(client.read(id, 0, "start", "end", 10).closedReason()).isEqualTo("attempt_success");
  }

  @Test
  void aReclaimLosesTheLeaseWithACallbackAndATypedException() throws Exception {
    String id = client.mintExecution();
    var lost = new AtomicReference<LeaseLostException>();
    var attempt = client.startAttempt(id, Duration.ofMillis(600), lost::set);
    attempt.append(NewFrame.durable("log", "before"));
    var reclaim =
        HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/executions/" + Wire.encode(id) + "/reclaim"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reclaim.statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> lost.get() != null);
    assertThat(attempt.leaseLost()).isTrue();
    assertThatThrownBy(() -> attempt.append(NewFrame.durable("log", "after")))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> attempt.close(CloseReason.ATTEMPT_SUCCESS)).isInstanceOf(LeaseLostException.class);
    attempt.close(); // nothing left to close: no exception
    assertThat(client.read(id, 0, "start", "end", 10).closedReason()).isEqualTo("reclaimed");
  }

  @Test
  void aRetryAfterACommittedAppendWhoseAnswerWasLostStoresTheFrameOnce() throws Exception {
    try (var proxy = new FlakyProxy(server.port()); var viaProxy = Servers.client(proxy.url())) {
      String id = viaProxy.mintExecution();
      var attempt = viaProxy.startAttempt(id, Duration.ofSeconds(60));
      proxy.loseNextAnswer();
      var appended = attempt.append(NewFrame.durable("log", "exactly once"));
      assertThat(appended.replayed()).as("the retry found the first try committed").isTrue();
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      var frames = client.read(id, 0, "start", "end", 100).frames();
      assertThat(frames).extracting(StoredFrame::text).containsExactly("exactly once");
      assertThat(frames.get(0).id()).isEqualTo(appended.id());
    }
  }

  @Test
  void anOwnIdempotencyKeyReplaysAndRefusesAnotherFrame() {
    String id = client.mintExecution();
    try (var attempt = client.startAttempt(id, Duration.ofSeconds(30))) {
      var first = attempt.append(NewFrame.durable("log", "a"), "step-1");
      var again = attempt.append(NewFrame.durable("log", "a"), "step-1");
      assertThat(again.replayed()).isTrue();
      assertThat(again.id()).isEqualTo(first.id());
      assertThatThrownBy(() -> attempt.append(NewFrame.durable("log", "b"), "step-1"))
          .isInstanceOf(ConflictException.class)
          .satisfies(e -> assertThat(((ConflictException) e).kind()).isEqualTo("idempotency_key_reused"));
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
    }
    assertThat(client.read(id, 0, "start", "end", 100).frames()).hasSize(1);
  }

  @Test
  void refusalsAreTyped() {
    assertThatThrownBy(() -> client.startAttempt("not-an-id", Duration.ofSeconds(5)))
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> client.follow(client.mintExecution(), 0, null, LiveMode.SSE).hasNext())
        .isInstanceOf(NotFoundException.class);
    assertThat(client.summary(client.mintExecution(), 0)).isEmpty();
    try (var unreachable =
        TributaryClient.builder("http://127.0.0.1:1").retry(new RetryPolicy(2, Duration.ZERO, Duration.ZERO)).build()) {
      assertThatThrownBy(unreachable::mintExecution)
          .isInstanceOf(UnavailableException.class)
          .satisfies(e -> assertThat(((UnavailableException) e).retryable()).isTrue());
    }
  }

  @Test
  void withAuthTheAdminTokenWorksAndAReadTokenOnlyReadsItsStream() {
    try (var secured = Servers.start(Servers.newDatabase(), b -> b.authToken("admin-secret"));
        var admin = TributaryClient.builder(secured.baseUrl()).token("admin-secret").build();
        var anonymous = TributaryClient.builder(secured.baseUrl()).build()) {
      assertThatThrownBy(anonymous::mintExecution).isInstanceOf(AccessDeniedException.class);
      String id = admin.mintExecution();
      var attempt = admin.startAttempt(id, Duration.ofSeconds(30));
      attempt.append(NewFrame.durable("log", "secret"));
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      String token = admin.mintReadToken(id, 0, Duration.ofMinutes(5));
      try (var reader = TributaryClient.builder(secured.baseUrl()).token(token).build()) {
        assertThat(reader.read(id, 0, "start", "end", 10).frames()).extracting(StoredFrame::text).containsExactly("secret");
        try (var follow = reader.follow(id, 0, null, LiveMode.SSE)) {
          assertThat(follow.next().text()).isEqualTo("secret");
          assertThat(follow.hasNext()).isFalse();
          assertThat(follow.closeReason()).contains("attempt_success");
        }
        assertThatThrownBy(reader::mintExecution).isInstanceOf(AccessDeniedException.class);
      }
    }
  }

  @Test
  void aBatchIsAllOrNothing() {
    String id = client.mintExecution();
    try (var attempt = client.startAttempt(id, Duration.ofSeconds(30))) {
      var outcomes =
          attempt.appendBatch(
              java.util.List.of(
                  NewFrame.durable("log", "one"),
                  NewFrame.summaryPatch("{\"step\":1}"),
                  NewFrame.durable("bin", new byte[] {(byte) 0xc3, 0x28}),
                  NewFrame.bestEffort("token", "t".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))));
      assertThat(outcomes).hasSize(4);
      assertThat(outcomes.get(1).summaryVersion()).isEqualTo(1L);
      attempt.append(NewFrame.durable("log", "keyed"), "k");
      attempt.appendBatch(java.util.List.of(NewFrame.durable("log", "two"), NewFrame.durable("log", "three")));
      // a frame reusing a key late in the batch: nothing of the batch is written
      var before = client.read(id, 0, "start", "end", 100).frames().size();
      var refused =
          rawBatch(
              attempt,
              "[{\"frame_type\":\"log\",\"payload\":\"never\"},"
                  + "{\"frame_type\":\"log\",\"payload\":\"other\",\"idempotency_key\":\"k\"}]",
              409);
      assertThat(refused).contains("idempotency_key_reused").contains("frame 1");
      assertThatThrownBy(
              () -> attempt.appendBatch(java.util.List.of(NewFrame.durable("log", "x"), NewFrame.durable("log", new byte[2048]))))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("frame 1");
      assertThat(client.read(id, 0, "start", "end", 100).frames()).hasSize(before);
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
    }
    var frames = client.read(id, 0, "start", "end", 100).frames();
    assertThat(frames).extracting(StoredFrame::frameType)
        .containsExactly("log", "summary", "bin", "token", "log", "log", "log");
    assertThat(frames.get(2).payload()).containsExactly(0xc3, 0x28);
    assertThat(frames).extracting(StoredFrame::text).doesNotContain("never", "x");
  }

  @Test
  void theBatchRouteTakesNdjsonAndNamesTheBadItem() throws Exception {
    String id = client.mintExecution();
    try (var attempt = client.startAttempt(id, Duration.ofSeconds(30))) {
      var ok = rawBatch(attempt, "{\"kind\":\"stdout\",\"payload\":\"a\\n\"}\n"
          + "{\"mode\":\"summary\",\"payload\":{\"pct\":9}}\n", 200);
      assertThat(ok).contains("\"count\":2");
      var bad = rawBatch(attempt, "{\"payload\":\"fine\"}\n{\"payload\":\"x\",\"mode\":\"sideways\"}\n", 400);
      assertThat(bad).contains("item 1").contains("mode");
      assertThat(rawBatch(attempt, "{\"payload\":\"x\",\"colour\":\"red\"}", 400)).contains("unknown field 'colour'");
      assertThat(rawBatch(attempt, "[]", 400)).contains("at least one");
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
    }
    assertThat(client.read(id, 0, "start", "end", 100).frames()).extracting(StoredFrame::text)
        .containsExactly("a\n", "{\"pct\":9}");
    assertThat(client.summary(id, 0).orElseThrow().documentJson()).isEqualTo("{\"pct\":9}");
  }

  @Test
  void aRetriedBatchWhoseAnswerWasLostIsStoredOnce() throws Exception {
    try (var proxy = new FlakyProxy(server.port()); var viaProxy = Servers.client(proxy.url())) {
      String id = viaProxy.mintExecution();
      var attempt = viaProxy.startAttempt(id, Duration.ofSeconds(60));
      proxy.loseNextAnswer();
      var outcomes = attempt.appendBatch(java.util.List.of(NewFrame.durable("log", "a"), NewFrame.durable("log", "b")));
      assertThat(outcomes).allMatch(Appended::replayed);
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      assertThat(client.read(id, 0, "start", "end", 100).frames()).extracting(StoredFrame::text).containsExactly("a", "b");
    }
  }

  private static String rawBatch(Attempt attempt, String body, int status) {
    HttpResponse<String> response;
    try {
      response =
        HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(
                    URI.create(server.baseUrl() + Wire.attemptPath(attempt.executionId(), attempt.index()) + "/stream/batch"))
                .header("Tributary-Handle", attempt.handle())
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return response.body();
  }
}
