package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.api.AppendOutcome;
import io.tributary.api.CloseReason;
import io.tributary.api.EntryId;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.StreamCursor;
import io.tributary.api.TailVisibility;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The append fast paths: a synchronous append commits on its caller's thread when its stripe is
 * idle, a lone plain durable append is one statement, and appends notify only watched streams.
 * Each must keep what the batch path guarantees. The one-append statement ({@link
 * AttemptStreamSql#APPEND_ONE}) also against the steps that fence it with both in flight at once:
 * they serialise on the stream row, so the append commits before the step or is refused after it,
 * never lands after it; and two processes appending with one lease to one stream at its cap.
 */
class AppendPathTest {
  private static final int CAP = 10;
  private static final long WAIT_S = 10;
  private static String url;
  private static PostgresStreamStore store;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("append_path");
    // a small pool: at most 2 appends commit on their callers' threads, the others queue, so the
    // concurrent test below runs both paths side by side
    store = PostgresStreamStore.open(config().durableRetention(CAP).poolSize(4).build());
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static StoreConfig.Builder config() {
    return StoreConfig.builder(url).user("postgres");
  }

  private static List<Long> positions(Handle h) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 10_000)
        .frames().stream().map(f -> Positions.of(f.id())).toList();
  }

  private static long column(Handle h, String column) throws SQLException {
    try (var c = store.database().dataSource().getConnection();
        var ps = c.prepareStatement("SELECT " + column
            + " FROM tb_stream WHERE kind = 1 AND execution_id = ? AND attempt_index = ?")) {
      ps.setObject(1, h.executionId().uuid());
      ps.setLong(2, h.attemptIndex());
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  @DisplayName("concurrent writers, synchronous and pipelined, on shared streams: nothing lost, each writer's order kept")
  void concurrentWritersLoseNothing() throws Exception {
    var handles = new ArrayList<Handle>();
    for (int i = 0; i < 3; i++) {
      handles.add(store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5)));
    }
    int writers = 8;
    int each = 150;
    var pool = Executors.newFixedThreadPool(writers);
    var go = new CountDownLatch(1);
    var results = new ArrayList<Future<List<AppendOutcome>>>();
    try {
      for (int w = 0; w < writers; w++) {
        var h = handles.get(w % handles.size());
        boolean mixed = w % 4 == 3; // some writers keep appends in flight between synchronous ones
        int me = w;
        results.add(pool.submit(() -> {
          go.await();
          var mine = new ArrayList<AppendOutcome>();
          for (int i = 0; i < each; i++) {
            var f = Frame.of("w" + me, Integer.toString(i));
            if (mixed && i % 3 != 2) {
              var a = store.appendAsync(h, f);
              var b = store.appendAsync(h, Frame.of("w" + me, i + "b"));
              mine.add(a.join());
              mine.add(b.join());
            } else {
              mine.add(store.append(h, f));
            }
          }
          return mine;
        }));
      }
      go.countDown();
      var all = new HashSet<String>();
      long total = 0;
      for (int w = 0; w < writers; w++) {
        var mine = results.get(w).get(120, TimeUnit.SECONDS);
        int stream = w % handles.size();
        total += mine.size();
        for (int i = 1; i < mine.size(); i++) {
          assertThat(mine.get(i).id()).as("a writer's appends commit in its order").isGreaterThan(mine.get(i - 1).id());
        }
        mine.forEach(o -> assertThat(all.add(stream + "/" + o.id())).as("ids are unique per stream").isTrue());
      }
      long sum = 0;
      for (var h : handles) {
        var head = store.head(h.executionId(), h.attemptIndex()).orElseThrow();
        sum += head.frameCount();
        var kept = positions(h);
        assertThat(kept).as("the newest %d frames are kept, in order", CAP).hasSize(CAP).isSorted();
        assertThat(column(h, "durable_retained")).isEqualTo(CAP);
        assertThat(kept.getLast()).isEqualTo(Positions.of(head.lastId()));
        assertThat(column(h, "durable_trimmed_pos")).isLessThan(kept.getFirst());
      }
      assertThat(sum).as("every acknowledged append was counted once").isEqualTo(total);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("a synchronous append is fenced: stale epoch, reclaimed, closed and unknown attempts write nothing")
  void fastPathIsFenced() throws Exception {
    var eid = ExecutionId.random(2);
    var h = store.startAttempt(eid, Duration.ofMinutes(5));
    store.append(h, Frame.of("log", "first"));
    var forged = new Handle(eid, 0, h.attemptId(), h.leaseId(), h.leaseEpoch() + 1, h.leaseTtlMs(),
        h.leaseExpiresAtMs(), "", "");
    assertThat(catchThrowable(() -> store.append(forged, Frame.of("log", "x")))).isInstanceOf(StaleOwnerException.class);
    var unknown = new Handle(eid, 7, h.attemptId(), h.leaseId(), h.leaseEpoch(), h.leaseTtlMs(),
        h.leaseExpiresAtMs(), "", "");
    assertThat(catchThrowable(() -> store.append(unknown, Frame.of("log", "x")))).isInstanceOf(StaleOwnerException.class);
    var next = store.reclaim(eid, Duration.ofMinutes(5));
    assertThat(catchThrowable(() -> store.append(h, Frame.of("log", "zombie")))).isInstanceOf(StaleOwnerException.class);
    assertThat(positions(h)).hasSize(1);
    store.append(next, Frame.of("log", "new owner"));
    store.closeAttempt(next, CloseReason.ATTEMPT_SUCCESS);
    assertThat(catchThrowable(() -> store.append(next, Frame.of("log", "late")))).isInstanceOf(StreamClosedException.class);
    assertThat(positions(next)).hasSize(1);
  }

  @Test
  @DisplayName("one stream at its cap trims exactly one frame per append, also with a summary and a best-effort frame in between")
  void trimAtCap() throws Exception {
    var h = store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5));
    var ids = new ArrayList<Long>();
    for (int i = 0; i < 3 * CAP; i++) {
      ids.add(Positions.of(store.append(h, Frame.of("log", "f" + i)).id()));
      if (i == CAP + 2) {
        store.append(h, Frame.of("s", "{\"a\":1}").withMode(io.tributary.api.StreamMode.durableSummary()));
        store.append(h, Frame.of("t", "tok").withMode(io.tributary.api.StreamMode.bestEffortLive(60_000)));
      }
    }
    var durable = store.read(h.executionId(), 0, StreamCursor.START, StreamCursor.END, 100).frames().stream()
        .filter(f -> f.mode().equals("durable")).map(f -> Positions.of(f.id())).toList();
    assertThat(durable).isEqualTo(ids.subList(2 * CAP, 3 * CAP));
    assertThat(column(h, "durable_trimmed_pos")).isEqualTo(ids.get(2 * CAP - 1));
    assertThat(column(h, "durable_retained")).isEqualTo(CAP);
    assertThat(store.head(h.executionId(), 0).orElseThrow().frameCount()).isEqualTo(3 * CAP + 2);
  }

  @Test
  @DisplayName("watch marks: written on first use, renewed for watched streams only, never for the attempt-started key")
  void watchMarks() throws Exception {
    var h = store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5));
    long id = streamId(h);
    assertThat(column(h, "coalesce(watched_until_ms, 0)")).isZero();
    var marks = new WatchMarks(store.database().dataSource());
    assertThat(marks.ensure(Notifier.ATTEMPT_STARTED)).isTrue();
    marks.renew(java.util.Set.of(Notifier.ATTEMPT_STARTED));
    assertThat(column(h, "coalesce(watched_until_ms, 0)")).isZero();
    marks.renew(java.util.Set.of(id));
    long first = column(h, "watched_until_ms");
    long dbNow = column(h, "(extract(epoch FROM clock_timestamp()) * 1000)::bigint");
    assertThat(first).isBetween(dbNow + WatchMarks.LEASE_MS - 5_000, dbNow + WatchMarks.LEASE_MS);
    // a fresh mark is not rewritten: no write per parked reader
    assertThat(marks.ensure(id)).isTrue();
    marks.renew(java.util.Set.of(id));
    assertThat(column(h, "watched_until_ms")).isEqualTo(first);
  }

  private static long streamId(Handle h) throws SQLException {
    return column(h, "id");
  }

  @Test
  @DisplayName("a tail parked in another process is woken by an append within seconds, long before its re-check")
  void wakesAReaderInAnotherProcess() throws Exception {
    // another Database: its own pool, LISTEN session and watch marks, as another server process has
    try (var other = PostgresStreamStore.open(config().tailRecheckInterval(Duration.ofSeconds(60)).build())) {
      var h = store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5));
      store.append(h, Frame.of("log", "before"));
      var after = Positions.toId(positions(h).getLast());
      var parked = CompletableFuture.supplyAsync(() -> other.tail(h.executionId(), 0, StreamCursor.at(after),
          20_000, 10, TailVisibility.ALL));
      // the reader marks the stream before it parks; wait for the mark, then append from here
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (column(h, "coalesce(watched_until_ms, 0)") == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(column(h, "coalesce(watched_until_ms, 0)")).as("the parked reader marked the stream").isPositive();
      Thread.sleep(100);
      long sent = System.nanoTime();
      store.append(h, Frame.of("log", "wake"));
      var got = parked.get(10, TimeUnit.SECONDS);
      assertThat(got.frames()).extracting(f -> new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8)).containsExactly("wake");
      assertThat(System.nanoTime() - sent).as("woken by the notification, not the 60 s re-check")
          .isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
  }

  private static List<String> payloads(Handle h) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 1_000)
        .frames().stream().map(f -> new String(f.payload(), StandardCharsets.UTF_8)).toList();
  }

  /** A new attempt with one frame, "before". */
  private static Handle startedWithOneFrame() {
    var h = store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5));
    store.append(h, Frame.of("log", "before"));
    return h;
  }

  /** A connection with an open transaction, as another process's step in flight. */
  private static Connection openTransaction() throws SQLException {
    var c = store.database().dataSource().getConnection();
    c.setAutoCommit(false);
    return c;
  }

  /** Waits until a session of this database waits for a lock (the step or append under test). */
  private static void awaitLockWaiter() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (System.nanoTime() < deadline) {
      try (var c = store.database().dataSource().getConnection();
          var st = c.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity"
              + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("nobody waited for the stream row within " + WAIT_S + " s");
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT_S, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause() instanceof CompletionException ce ? ce.getCause() : e.getCause();
    }
  }

  @Test
  @DisplayName("an append waiting for a close in flight is refused once the close commits, and writes nothing")
  void appendAfterACloseIsRefused() throws Exception {
    var h = startedWithOneFrame();
    try (var step = openTransaction();
        var ps = step.prepareStatement(AttemptStreamSql.LEASE_STEP)) {
      ps.setObject(1, h.executionId().uuid());
      ps.setInt(2, h.executionId().partition());
      ps.setLong(3, h.attemptIndex());
      ps.setObject(4, h.leaseId());
      ps.setLong(5, h.leaseEpoch());
      ps.setLong(6, h.leaseTtlMs());
      ps.setString(7, CloseReason.ATTEMPT_SUCCESS.wire());
      ps.setNull(8, java.sql.Types.BIGINT);
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("the close passed its own fence").isZero();
      }
      var append = CompletableFuture.supplyAsync(() -> store.append(h, Frame.of("log", "late")));
      awaitLockWaiter();
      assertThat(append).as("the append waits for the close's row lock").isNotDone();
      step.commit();
      assertThat(failure(append)).isInstanceOf(StreamClosedException.class);
    }
    assertThat(payloads(h)).containsExactly("before");
    assertThat(column(h, "frame_count")).isEqualTo(1);
  }

  @Test
  @DisplayName("an append waiting for a reclaim in flight is refused as a stale owner once the reclaim commits")
  void appendAfterAReclaimIsRefused() throws Exception {
    var h = startedWithOneFrame();
    var eid = h.executionId();
    try (var step = openTransaction();
        var ps = step.prepareStatement(AttemptStreamSql.START_ATTEMPT)) {
      ps.setObject(1, eid.uuid());
      ps.setInt(2, eid.partition());
      ps.setLong(3, 60_000);
      ps.setBoolean(4, true);
      ps.setNull(5, java.sql.Types.BIGINT);
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isZero();
      }
      var append = CompletableFuture.supplyAsync(() -> store.append(h, Frame.of("log", "zombie")));
      awaitLockWaiter();
      assertThat(append).isNotDone();
      step.commit();
      assertThat(failure(append)).isInstanceOf(StaleOwnerException.class);
    }
    assertThat(payloads(h)).containsExactly("before");
  }

  @Test
  @DisplayName("a close waiting for an append in flight commits after it: the frame landed before the close")
  void closeAfterAnAppendInFlight() throws Exception {
    var h = store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5));
    var payload = "in flight".getBytes(StandardCharsets.UTF_8);
    try (var append = openTransaction();
        var ps = append.prepareStatement(AttemptStreamSql.APPEND_ONE)) {
      ps.setNull(1, java.sql.Types.BIGINT);
      ps.setLong(2, CAP);
      ps.setLong(3, payload.length);
      ps.setObject(4, h.executionId().uuid());
      ps.setInt(5, h.executionId().partition());
      ps.setLong(6, h.attemptIndex());
      ps.setObject(7, h.leaseId());
      ps.setLong(8, h.leaseEpoch());
      ps.setString(9, "log");
      ps.setBytes(10, payload);
      ps.setNull(11, java.sql.Types.VARCHAR);
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).as("the append passed its fence").isTrue();
      }
      var close = CompletableFuture.runAsync(() -> store.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS));
      awaitLockWaiter();
      assertThat(close).as("the close waits for the append's row lock").isNotDone();
      append.commit();
      assertThat(failure(close)).isNull();
    }
    assertThat(payloads(h)).containsExactly("in flight");
    assertThat(store.head(h.executionId(), 0).orElseThrow().closedReason()).isEqualTo(CloseReason.ATTEMPT_SUCCESS.wire());
  }

  @Test
  @DisplayName("two processes append with one lease to one stream at its cap: no duplicate or lost position, exact cap counters")
  void twoProcessesOneLease() throws Exception {
    var h = store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5));
    int writersPerProcess = 2;
    int each = 120;
    try (var other = PostgresStreamStore.open(config().durableRetention(CAP).build())) {
      var stores = List.of(store, other);
      var pool = Executors.newFixedThreadPool(2 * writersPerProcess);
      var go = new CountDownLatch(1);
      var results = new ArrayList<Future<List<AppendOutcome>>>();
      try {
        for (int w = 0; w < 2 * writersPerProcess; w++) {
          var s = stores.get(w % 2);
          int me = w;
          results.add(pool.submit(() -> {
            go.await();
            var mine = new ArrayList<AppendOutcome>();
            for (int i = 0; i < each; i++) {
              mine.add(s.append(h, Frame.of("log", me + "/" + i)));
            }
            return mine;
          }));
        }
        go.countDown();
        var all = new ArrayList<AppendOutcome>();
        var counts = new HashSet<Long>();
        for (var r : results) {
          var mine = r.get(120, TimeUnit.SECONDS);
          for (int i = 1; i < mine.size(); i++) {
            assertThat(mine.get(i).id()).as("a writer's appends in its order").isGreaterThan(mine.get(i - 1).id());
          }
          mine.forEach(o -> assertThat(counts.add(o.frameCount())).as("each lifetime count once").isTrue());
          all.addAll(mine);
        }
        int total = 2 * writersPerProcess * each;
        assertThat(all.stream().map(AppendOutcome::id).distinct().count()).as("positions unique").isEqualTo(total);
        assertThat(counts).hasSize(total).allMatch(n -> n >= 1 && n <= total);
        var byId = all.stream().sorted(Comparator.comparing(AppendOutcome::id)).toList();
        for (int i = 1; i < byId.size(); i++) {
          assertThat(byId.get(i).frameCount()).as("positions and lifetime counts in one order")
              .isEqualTo(byId.get(i - 1).frameCount() + 1);
        }
        var kept = store.read(h.executionId(), 0, StreamCursor.START, StreamCursor.END, 1_000).frames();
        assertThat(kept).extracting(f -> f.id())
            .as("exactly the newest %d frames are kept", CAP)
            .containsExactlyElementsOf(byId.subList(total - CAP, total).stream().map(AppendOutcome::id).toList());
        assertThat(column(h, "durable_retained")).isEqualTo(CAP);
        assertThat(column(h, "durable_trimmed_pos")).isEqualTo(Positions.of(byId.get(total - CAP - 1).id()));
        assertThat(column(h, "frame_count")).isEqualTo(total);
        assertThat(store.head(h.executionId(), 0).orElseThrow().lastId()).isEqualTo(byId.getLast().id());
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
