package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.AppendOutcome;
import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.StreamCursor;
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
 * The one-append statement ({@link AttemptStreamSql#APPEND_ONE}) against the steps that fence it,
 * with both in flight at once: an append and a lease step, close or reclaim serialise on the
 * stream row, so the append either commits before the step or is refused after it, never lands
 * after it. And two processes appending with one lease to one stream at its cap: positions unique
 * and increasing, nothing lost, the cap's counters exact.
 */
class AppendFenceRaceTest {
  private static final int CAP = 10;
  private static final long WAIT_S = 10;
  private static String url;
  private static PostgresStreamStore store;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("append_fence_race");
    store = PostgresStreamStore.open(config().build());
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static StoreConfig.Builder config() {
    return StoreConfig.builder(url).user("postgres").durableRetention(CAP);
  }

  private static List<String> payloads(Handle h) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 1_000)
        .frames().stream().map(f -> new String(f.payload(), StandardCharsets.UTF_8)).toList();
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
    var h = store.startAttempt(ExecutionId.random(2), Duration.ofMinutes(5));
    store.append(h, Frame.of("log", "before"));
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
    var eid = ExecutionId.random(2);
    var h = store.startAttempt(eid, Duration.ofMinutes(5));
    store.append(h, Frame.of("log", "before"));
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
    try (var other = PostgresStreamStore.open(config().build())) {
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
