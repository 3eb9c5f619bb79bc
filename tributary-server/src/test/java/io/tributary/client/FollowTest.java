package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.TributaryServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Followers against real servers: every frame exactly once, in order, through SSE lifetime ends,
 * cut connections, a server restart and a move to another server on the same database.
 */
class FollowTest {
  /** What a follower saw: the payloads in order, and the close reason it ended with. */
  record Seen(List<String> payloads, List<String> ids, String closeReason) {}

  private static CompletableFuture<Seen> followInBackground(Follow<StoredFrame> follow) {
    return CompletableFuture.supplyAsync(
        () -> {
          var payloads = new ArrayList<String>();
          var ids = new ArrayList<String>();
          while (follow.hasNext()) {
            var f = follow.next();
            payloads.add(f.text());
            ids.add(f.id());
          }
          return new Seen(payloads, ids, follow.closeReason().orElse(null));
        });
  }

  private static List<String> expected(int n) {
    return IntStream.range(0, n).mapToObj(i -> "frame " + i).toList();
  }

  private static void assertExactlyOnceInOrder(Seen seen, int n, String reason) {
    assertThat(seen.payloads()).containsExactlyElementsOf(expected(n));
    assertThat(seen.ids()).doesNotHaveDuplicates();
    for (int i = 1; i < seen.ids().size(); i++) {
      assertThat(Wire.after(seen.ids().get(i), seen.ids().get(i - 1))).isTrue();
    }
    assertThat(seen.closeReason()).isEqualTo(reason);
  }

  private static void appendSlowly(Attempt attempt, int from, int to) throws InterruptedException {
    for (int i = from; i < to; i++) {
      attempt.append(NewFrame.durable("log", "frame " + i));
      if (i % 10 == 0) {
        Thread.sleep(20);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(LiveMode.class)
  void followsAcrossForcedResponseEndsUntilTheClose(LiveMode mode) throws Exception {
    // SSE responses end every 300 ms, long-polls answer 204 after 1 s: both resume by themselves
    try (var server = Servers.start(Servers.newDatabase(), b -> b.sseMaxDuration(Duration.ofMillis(300)));
        var client = Servers.client(server.baseUrl())) {
      String id = client.mintExecution();
      var attempt = client.startAttempt(id, Duration.ofSeconds(30));
      attempt.append(NewFrame.durable("log", "frame 0"));
      var seen = followInBackground(client.follow(id, 0, null, mode));
      Thread.sleep(1_200);
      appendSlowly(attempt, 1, 200);
      Thread.sleep(400);
      appendSlowly(attempt, 200, 300);
      attempt.close(CloseReason.ATTEMPT_FAILURE);
      assertExactlyOnceInOrder(seen.get(30, TimeUnit.SECONDS), 300, "attempt_failure");
    }
  }

  @ParameterizedTest
  @EnumSource(LiveMode.class)
  void followsAcrossCutConnections(LiveMode mode) throws Exception {
    try (var server = Servers.start(Servers.newDatabase());
        var proxy = new FlakyProxy(server.port());
        var reader = Servers.client(proxy.url());
        var writer = Servers.client(server.baseUrl())) {
      String id = writer.mintExecution();
      var attempt = writer.startAttempt(id, Duration.ofSeconds(30));
      var follow = reader.follow(id, 0, null, mode);
      var seen = followInBackground(follow);
      for (int round = 0; round < 5; round++) {
        appendSlowly(attempt, round * 40, round * 40 + 40);
        proxy.cutAll();
      }
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      assertExactlyOnceInOrder(seen.get(30, TimeUnit.SECONDS), 200, "attempt_success");
    }
  }

  @Test
  void aFollowerLeavesAServerThatTakesItsConnectionButNeverAnswers() throws Exception {
    // every SSE response ends after 300 ms, so the follower keeps reconnecting to the proxy; once
    // the proxy swallows connections, the reconnect's head never comes and the follower must move
    // on to the next server after its request timeout instead of waiting forever
    try (var server = Servers.start(Servers.newDatabase(), b -> b.sseMaxDuration(Duration.ofMillis(300)));
        var proxy = new FlakyProxy(server.port());
        var reader = TributaryClient.builder(proxy.url()).server(server.baseUrl())
            .requestTimeout(Duration.ofSeconds(2)).giveUpAfter(Duration.ofSeconds(30)).build();
        var writer = Servers.client(server.baseUrl())) {
      String id = writer.mintExecution();
      var attempt = writer.startAttempt(id, Duration.ofSeconds(30));
      var seen = followInBackground(reader.follow(id, 0, null, LiveMode.SSE));
      appendSlowly(attempt, 0, 30);
      Thread.sleep(500);
      proxy.swallowNewConnections(true);
      Thread.sleep(1_000);
      appendSlowly(attempt, 30, 60);
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      assertExactlyOnceInOrder(seen.get(30, TimeUnit.SECONDS), 60, "attempt_success");
    }
  }

  @Test
  void theRequestTimeoutDoesNotCutAQuietSseResponse() throws Exception {
    try (var server = Servers.start(Servers.newDatabase());
        var proxy = new FlakyProxy(server.port());
        var reader = TributaryClient.builder(proxy.url()).requestTimeout(Duration.ofSeconds(1)).build();
        var writer = Servers.client(server.baseUrl())) {
      String id = writer.mintExecution();
      var attempt = writer.startAttempt(id, Duration.ofSeconds(30));
      var seen = followInBackground(reader.follow(id, 0, null, LiveMode.SSE));
      attempt.append(NewFrame.durable("log", "frame 0"));
      await(() -> proxy.accepted() > 0);
      Thread.sleep(1_000);
      int connections = proxy.accepted();
      // three request timeouts without a frame (the server's keep-alive comes every 15 s)
      Thread.sleep(3_000);
      assertThat(proxy.accepted()).as("connections opened by the follower while it was quiet").isEqualTo(connections);
      appendSlowly(attempt, 1, 10);
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      assertExactlyOnceInOrder(seen.get(30, TimeUnit.SECONDS), 10, "attempt_success");
    }
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  @Test
  void followsAndAppendsAcrossAServerRestart() throws Exception {
    String db = Servers.newDatabase();
    var first = Servers.start(db);
    try (var client = Servers.client(first.baseUrl())) {
      String id = client.mintExecution();
      var attempt = client.startAttempt(id, Duration.ofSeconds(30));
      var seen = followInBackground(client.follow(id, 0, null, LiveMode.SSE));
      appendSlowly(attempt, 0, 50);
      try (TributaryServer second = Servers.restart(first, db)) {
        // the same Attempt, on the same URL: its appends and the follower carry on
        appendSlowly(attempt, 50, 100);
        attempt.close(CloseReason.ATTEMPT_SUCCESS);
        assertExactlyOnceInOrder(seen.get(60, TimeUnit.SECONDS), 100, "attempt_success");
      }
    }
  }

  @Test
  void aFollowerMovesToTheNextServerWhenItsServerStops() throws Exception {
    String db = Servers.newDatabase();
    var a = Servers.start(db);
    try (var b = Servers.start(db);
        var reader = Servers.client(a.baseUrl(), b.baseUrl());
        var writer = Servers.client(b.baseUrl())) {
      String id = writer.mintExecution();
      var attempt = writer.startAttempt(id, Duration.ofSeconds(30));
      var seen = followInBackground(reader.follow(id, 0, null, LiveMode.SSE));
      appendSlowly(attempt, 0, 60);
      Thread.sleep(300);
      a.close();
      appendSlowly(attempt, 60, 120);
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      assertExactlyOnceInOrder(seen.get(30, TimeUnit.SECONDS), 120, "attempt_success");
    } finally {
      a.close();
    }
  }

  @Test
  void resumesAfterAGivenFrameAndAsAStream() throws Exception {
    try (var server = Servers.start(Servers.newDatabase()); var client = Servers.client(server.baseUrl())) {
      String id = client.mintExecution();
      var attempt = client.startAttempt(id, Duration.ofSeconds(30));
      appendSlowly(attempt, 0, 10);
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      String fifth = client.read(id, 0, "start", "end", 10).frames().get(4).id();
      try (var follow = client.follow(id, 0, fifth, LiveMode.SSE); var stream = follow.stream()) {
        assertThat(stream.map(StoredFrame::text)).containsExactlyElementsOf(expected(10).subList(5, 10));
        assertThat(follow.streamClosed()).isTrue();
      }
    }
  }

  @Test
  void aPublisherHonoursDemandAndCompletesOnClose() throws Exception {
    try (var server = Servers.start(Servers.newDatabase()); var client = Servers.client(server.baseUrl())) {
      String id = client.mintExecution();
      var attempt = client.startAttempt(id, Duration.ofSeconds(30));
      var got = new CopyOnWriteArrayList<String>();
      var completed = new CompletableFuture<Void>();
      client.publisher(id, 0, null, LiveMode.SSE).subscribe(new Flow.Subscriber<StoredFrame>() {
        private Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
          subscription = s;
          s.request(1);
        }

        @Override
        public void onNext(StoredFrame item) {
          got.add(item.text());
          subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
          completed.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
          completed.complete(null);
        }
      });
      appendSlowly(attempt, 0, 30);
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      completed.get(20, TimeUnit.SECONDS);
      assertThat(got).containsExactlyElementsOf(expected(30));
    }
  }

  @Test
  void followsEachNewSummaryVersion() throws Exception {
    try (var server = Servers.start(Servers.newDatabase()); var client = Servers.client(server.baseUrl())) {
      String id = client.mintExecution();
      var attempt = client.startAttempt(id, Duration.ofSeconds(30));
      attempt.patchSummary("{\"pct\":0}");
      var versions =
          CompletableFuture.supplyAsync(() -> {
            var out = new ArrayList<Summary>();
            try (var follow = client.followSummary(id, 0, LiveMode.SSE)) {
              follow.forEachRemaining(out::add);
            }
            return out;
          });
      Thread.sleep(500);
      for (int pct = 25; pct <= 100; pct += 25) {
        attempt.patchSummary("{\"pct\":" + pct + "}");
        Thread.sleep(300);
      }
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      var seen = versions.get(20, TimeUnit.SECONDS);
      assertThat(seen.get(0).documentJson()).isEqualTo("{\"pct\":0}");
      assertThat(seen.get(seen.size() - 1).documentJson()).isEqualTo("{\"pct\":100}");
      assertThat(seen).extracting(Summary::version).isSorted().doesNotHaveDuplicates();
      assertThat(seen.size()).isBetween(2, 5);
    }
  }
}
