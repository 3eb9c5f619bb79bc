package io.tributary.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.AppendOutcome;
import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.StreamCursor;
import io.tributary.api.UnavailableException;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idle path's combining ({@link CallerCommits}): synchronous appends to different streams whose
 * callers arrive while another caller's statement is in flight wait, then go out together in one
 * transaction committed on one of their threads; each keeps its own fence check and outcome, a
 * stream's order is kept, and a waiting append still fails at its deadline during an outage.
 *
 * <p>To make a combined batch deterministic, a test holds the row lock of the leader's stream: the
 * leader's statement waits for it, the followers gather, and they go out together once it is
 * released.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallerCommitsTest {
  private static final Duration DB_TIMEOUT = Duration.ofMillis(1_500);
  /** Scheduling slack on a shared 2-core machine; bounds only, never lower bounds. */
  private static final long SLACK_MS = 1_500;

  private static String url;
  private static PostgresStreamStore store;
  private static GroupCommitter<AppendRequest> committer;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("caller_commits");
    store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").dbTimeout(DB_TIMEOUT).build());
    committer = new GroupCommitter<>(store.database(), 2, 1, new AttemptBatchWriter(store.database()));
  }

  @AfterAll
  static void close() {
    committer.close();
    store.close();
  }

  private static int stripe(Handle h) {
    return request(h, "x").streamHash() & (GroupCommitter.STRIPES - 1);
  }

  /** {@code n} new attempt streams, none sharing a stripe of the idle path with another or with {@code taken}. */
  private static List<Handle> streams(int n, Handle... taken) {
    var stripes = new HashSet<Integer>();
    for (var h : taken) {
      stripes.add(stripe(h));
    }
    var out = new ArrayList<Handle>();
    while (out.size() < n) {
      var h = store.startAttempt(ExecutionId.random(1), Duration.ofMinutes(5));
      if (stripes.add(stripe(h))) {
        out.add(h);
      }
    }
    return out;
  }

  /** An append with a deadline far enough away not to expire while a test arranges its batch. */
  private static AppendRequest request(Handle h, String payload) {
    return request(h, payload, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
  }

  private static AppendRequest request(Handle h, String payload, long deadlineNanos) {
    var f = Frame.of("log", payload);
    return AppendRequest.of(h, f, f.payload(), deadlineNanos);
  }

  private static List<String> payloads(Handle h) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 10_000).frames().stream()
        .map(f -> new String(f.payload(), UTF_8)).toList();
  }

  /** The transaction ids that wrote the stream's frames. */
  private static List<String> writers(Handle h) throws Exception {
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var ps = c.prepareStatement("SELECT DISTINCT f.xmin::text FROM tb_frame f JOIN tb_stream s ON s.id = f.stream_id"
            + " WHERE s.kind = 1 AND s.execution_id = ? AND s.attempt_index = ?")) {
      ps.setObject(1, h.executionId().uuid());
      ps.setLong(2, h.attemptIndex());
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<String>();
        while (rs.next()) {
          out.add(rs.getString(1));
        }
        return out;
      }
    }
  }

  /** A connection holding the row lock of {@code h}'s stream (commit it to release). */
  private static Connection lockRow(Handle h) throws Exception {
    var c = DriverManager.getConnection(url, "postgres", null);
    c.setAutoCommit(false);
    try (var ps = c.prepareStatement(
        "SELECT id FROM tb_stream WHERE kind = 1 AND execution_id = ? AND attempt_index = ? FOR UPDATE")) {
      ps.setObject(1, h.executionId().uuid());
      ps.setLong(2, h.attemptIndex());
      ps.executeQuery().close();
    }
    return c;
  }

  private static void awaitFollowers(int n) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (committer.waitingCallers() < n && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(committer.waitingCallers()).as("callers waiting for the leader's statement").isEqualTo(n);
  }

  /** Calls {@code commitOrSubmit} on a thread of the pool; the future is done when that call returned. */
  private static Future<?> call(ExecutorService threads, AppendRequest r) {
    return threads.submit(() -> {
      committer.commitOrSubmit(r);
      return null;
    });
  }

  private static Throwable failure(AppendRequest r) throws Exception {
    try {
      r.result().get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected the append to fail");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  @DisplayName("callers on different streams that arrive during a statement share the next transaction, committed on a caller's thread")
  void followersShareOneTransaction() throws Exception {
    var leader = streams(1).getFirst();
    var others = streams(6, leader);
    try (var threads = Executors.newFixedThreadPool(8); var lock = lockRow(leader)) {
      var first = request(leader, "lead");
      var leading = call(threads, first);
      NamedStreamGroupCommitTest.awaitLockWaiter(lock);
      var followers = new ArrayList<AppendRequest>();
      var calls = new ArrayList<Future<?>>();
      for (var h : others) {
        var r = request(h, "follow");
        followers.add(r);
        calls.add(call(threads, r));
      }
      awaitFollowers(others.size());
      assertThat(followers).allSatisfy(r -> assertThat(r.result()).isNotDone());
      lock.commit();
      leading.get(10, TimeUnit.SECONDS);
      for (var c : calls) {
        c.get(10, TimeUnit.SECONDS);
      }
      for (var r : followers) {
        assertThat(r.result()).as("done when its caller returns").isDone();
        assertThat(r.result().get().frameCount()).isEqualTo(1);
      }
    }
    var transactions = new HashSet<String>();
    for (var h : others) {
      assertThat(payloads(h)).containsExactly("follow");
      transactions.addAll(writers(h));
    }
    assertThat(transactions).as("the followers' appends went out in one transaction").hasSize(1);
    assertThat(writers(leader)).doesNotContainAnyElementsOf(transactions);
    assertThat(committer.waitingCallers()).isZero();
  }

  @Test
  @DisplayName("a stale lease and a closed attempt in a combined batch fail alone; their neighbours are stored")
  void fencedFollowersDoNotFailTheirNeighbours() throws Exception {
    var leader = streams(1).getFirst();
    var s = streams(4, leader);
    var good = List.of(s.get(0), s.get(1));
    var stale = s.get(2);
    var closed = s.get(3);
    var forged = new Handle(stale.executionId(), stale.attemptIndex(), stale.attemptId(), stale.leaseId(),
        stale.leaseEpoch() + 1, stale.leaseTtlMs(), stale.leaseExpiresAtMs(), "", "");
    store.closeAttempt(closed, CloseReason.ATTEMPT_SUCCESS);
    try (var threads = Executors.newFixedThreadPool(6); var lock = lockRow(leader)) {
      var leading = call(threads, request(leader, "lead"));
      NamedStreamGroupCommitTest.awaitLockWaiter(lock);
      var ok = new ArrayList<AppendRequest>();
      for (var h : good) {
        ok.add(request(h, "good"));
      }
      var bad = List.of(request(forged, "stale"), request(closed, "late"));
      var all = new ArrayList<AppendRequest>(ok);
      all.addAll(bad);
      var calls = new ArrayList<Future<?>>();
      for (var r : all) {
        calls.add(call(threads, r));
      }
      awaitFollowers(all.size());
      lock.commit();
      leading.get(10, TimeUnit.SECONDS);
      for (var c : calls) {
        c.get(10, TimeUnit.SECONDS);
      }
      for (var r : ok) {
        assertThat(r.result().get().frameCount()).isEqualTo(1);
      }
      assertThat(failure(bad.get(0))).isInstanceOf(StaleOwnerException.class);
      assertThat(failure(bad.get(1))).isInstanceOf(StreamClosedException.class);
    }
    for (var h : good) {
      assertThat(payloads(h)).containsExactly("good");
    }
    assertThat(payloads(stale)).isEmpty();
    assertThat(payloads(closed)).isEmpty();
  }

  @Test
  @DisplayName("while the leader's statement hangs, waiting callers fail by their own deadline, not stored; the leader's append keeps its real outcome")
  void waitingCallersFailByTheirDeadline() throws Exception {
    var leader = streams(1).getFirst();
    var others = streams(3, leader);
    try (var threads = Executors.newFixedThreadPool(4); var lock = lockRow(leader)) {
      var first = request(leader, "lead");
      var leading = call(threads, first);
      NamedStreamGroupCommitTest.awaitLockWaiter(lock);
      var followers = new ArrayList<AppendRequest>();
      var calls = new ArrayList<Future<?>>();
      long queuedAt = System.nanoTime();
      for (var h : others) {
        var r = request(h, "lost", committer.deadlineFromNow());
        followers.add(r);
        calls.add(call(threads, r));
      }
      for (var c : calls) {
        c.get(DB_TIMEOUT.toMillis() + SLACK_MS + 5_000, TimeUnit.MILLISECONDS);
      }
      long tookMs = (System.nanoTime() - queuedAt) / 1_000_000;
      assertThat(tookMs).as("every waiting caller returned by its deadline").isLessThanOrEqualTo(DB_TIMEOUT.toMillis() + SLACK_MS);
      for (var r : followers) {
        var e = failure(r);
        assertThat(e).isInstanceOf(UnavailableException.class).hasMessageContaining("not stored");
        assertThat(((UnavailableException) e).retryable()).isTrue();
      }
      assertThat(first.result()).as("a sent append waits for its statement").isNotDone();
      lock.commit();
      leading.get(10, TimeUnit.SECONDS);
      assertThat(first.result().get().frameCount()).isEqualTo(1);
    }
    for (var h : others) {
      assertThat(payloads(h)).as("a failed append was not stored").isEmpty();
    }
    assertThat(committer.waitingCallers()).isZero();
    // the path works again at once
    var again = request(others.getFirst(), "after");
    committer.commitOrSubmit(again);
    assertThat(again.result().get(10, TimeUnit.SECONDS).frameCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("many synchronous writers on many streams, some sharing a stream: nothing lost, each stream in its writers' order")
  void manyWritersOnManyStreams() throws Exception {
    var handles = streams(12);
    int writers = 16; // the last four share a stream with another writer
    int each = 60;
    var go = new CountDownLatch(1);
    var results = new ArrayList<Future<List<AppendOutcome>>>();
    try (var threads = Executors.newFixedThreadPool(writers)) {
      for (int w = 0; w < writers; w++) {
        var h = handles.get(w % handles.size());
        int me = w;
        results.add(threads.submit(() -> {
          go.await();
          var mine = new ArrayList<AppendOutcome>();
          for (int i = 0; i < each; i++) {
            var r = request(h, me + ":" + i);
            committer.commitOrSubmit(r);
            mine.add(r.result().get(30, TimeUnit.SECONDS));
          }
          return mine;
        }));
      }
      go.countDown();
      for (int w = 0; w < writers; w++) {
        var mine = results.get(w).get(60, TimeUnit.SECONDS);
        assertThat(mine).hasSize(each);
        for (int i = 1; i < each; i++) {
          assertThat(mine.get(i).id()).as("writer %d's appends commit in its order", w).isGreaterThan(mine.get(i - 1).id());
        }
      }
    }
    for (int s = 0; s < handles.size(); s++) {
      var got = payloads(handles.get(s));
      for (int w = s; w < writers; w += handles.size()) {
        var prefix = w + ":";
        var seqs = got.stream().filter(p -> p.startsWith(prefix)).map(p -> Integer.parseInt(p.substring(prefix.length()))).toList();
        assertThat(seqs).as("writer %d's frames on its stream, in its order", w)
            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each).boxed().toList());
      }
      assertThat(got).hasSize(each * (s < writers - handles.size() ? 2 : 1));
    }
    assertThat(committer.waitingCallers()).isZero();
  }
}
