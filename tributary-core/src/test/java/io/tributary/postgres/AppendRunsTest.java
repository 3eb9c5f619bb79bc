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
import io.tributary.api.StreamMode;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The set-based batch statement ({@link AppendRuns}): batches are handed to the committer's
 * writer directly, so each test decides exactly what one statement sees. Every outcome must be
 * what {@code tb_append_batch} would answer, and the stream rows and frames what it would write.
 */
class AppendRunsTest {
  private static final int CAP = 10;
  private static PostgresStreamStore store;
  private static AttemptBatchWriter writer;

  @BeforeAll
  static void open() {
    store =
        PostgresStreamStore.open(
            StoreConfig.builder(EmbeddedPostgres.createDatabase("append_runs")).user("postgres").durableRetention(CAP).build());
    writer = new AttemptBatchWriter(store.database());
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static Handle start(int partition) {
    return store.startAttempt(ExecutionId.random(partition), Duration.ofMinutes(5));
  }

  private static AppendRequest request(Handle h, Frame f) {
    return AppendRequest.of(h, f, f.payload(), System.nanoTime() + 10_000_000_000L);
  }

  private static AppendRequest durable(Handle h, String payload) {
    return request(h, Frame.of("log", payload));
  }

  /** {@code n} durable appends to {@code h} with payloads prefix0 … prefix(n-1). */
  private static List<AppendRequest> durables(Handle h, String prefix, int n) {
    var batch = new ArrayList<AppendRequest>();
    for (int i = 0; i < n; i++) {
      batch.add(durable(h, prefix + i));
    }
    return batch;
  }

  /** Writes one batch through the committer's writer and returns the requests in their order. */
  private static List<AppendRequest> write(List<AppendRequest> batch) throws SQLException {
    var mine = List.copyOf(batch);
    try (var c = store.database().dataSource().getConnection()) {
      writer.write(c, new ArrayList<>(batch));
    }
    return mine;
  }

  private static AppendOutcome outcome(AppendRequest r) throws Exception {
    return r.result().get();
  }

  private static Throwable failure(AppendRequest r) throws InterruptedException {
    try {
      r.result().get();
      throw new AssertionError("expected the append to fail");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static List<String> payloads(Handle h) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 1000).frames().stream()
        .map(f -> new String(f.payload(), StandardCharsets.UTF_8)).toList();
  }

  private static List<Long> positions(Handle h) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 1000).frames().stream()
        .map(f -> Positions.of(f.id())).toList();
  }

  /** frame_count, total_bytes, durable_retained, durable_trimmed_pos, last_pos, id of the stream row. */
  private static List<Long> row(Handle h) throws SQLException {
    try (var c = store.database().dataSource().getConnection();
        var ps = c.prepareStatement("SELECT frame_count, total_bytes, durable_retained, durable_trimmed_pos, last_pos, id"
            + " FROM tb_stream WHERE kind = 1 AND execution_id = ? AND partition_key = ? AND attempt_index = ?")) {
      ps.setObject(1, h.executionId().uuid());
      ps.setInt(2, h.executionId().partition());
      ps.setLong(3, h.attemptIndex());
      try (var rs = ps.executeQuery()) {
        rs.next();
        return List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
      }
    }
  }

  @Test
  @DisplayName("appends to several streams, interleaved in one batch: each stream in submission order, ids and counts as the function gives")
  void mixedStreamsKeepTheirOrder() throws Exception {
    var a = start(1);
    var b = start(2);
    var batch = new ArrayList<AppendRequest>();
    for (int i = 0; i < 4; i++) {
      batch.add(durable(a, "a" + i));
      batch.add(durable(b, "b" + i));
    }
    write(batch);
    var aIds = new ArrayList<Long>();
    for (int i = 0; i < batch.size(); i += 2) {
      var o = outcome(batch.get(i));
      assertThat(o.frameCount()).isEqualTo(i / 2 + 1);
      assertThat(o.replayed()).isFalse();
      aIds.add(Positions.of(o.id()));
    }
    assertThat(aIds).isSorted().doesNotHaveDuplicates();
    assertThat(payloads(a)).containsExactly("a0", "a1", "a2", "a3");
    assertThat(payloads(b)).containsExactly("b0", "b1", "b2", "b3");
    assertThat(positions(a)).isEqualTo(aIds);
    assertThat(row(a).subList(0, 5)).containsExactly(4L, 8L, 4L, 0L, aIds.getLast());
    // a second batch continues after the first: ids never go back
    var next = write(List.of(durable(a, "a4"), durable(a, "a5")));
    assertThat(Positions.of(outcome(next.get(0)).id())).isGreaterThan(aIds.getLast());
    assertThat(outcome(next.get(1)).frameCount()).isEqualTo(6);
  }

  @Test
  @DisplayName("a stale lease or a closed attempt next to a good stream: only the bad stream's appends fail, with the function's status")
  void aFencedStreamNextToAGoodOne() throws Exception {
    var good = start(3);
    var stale = start(4);
    var reclaimed = store.reclaim(stale.executionId(), Duration.ofMinutes(5));
    var closed = start(5);
    store.closeAttempt(closed, CloseReason.ATTEMPT_SUCCESS);
    var batch = write(List.of(durable(good, "g0"), durable(stale, "s0"), durable(closed, "c0"), durable(good, "g1")));
    assertThat(outcome(batch.get(0)).frameCount()).isEqualTo(1);
    assertThat(outcome(batch.get(3)).frameCount()).isEqualTo(2);
    assertThat(failure(batch.get(1))).isInstanceOf(StaleOwnerException.class);
    assertThat(failure(batch.get(2))).isInstanceOf(StreamClosedException.class);
    assertThat(payloads(good)).containsExactly("g0", "g1");
    assertThat(payloads(reclaimed)).isEmpty();
    assertThat(payloads(closed)).isEmpty();
  }

  @Test
  @DisplayName("a stale and a current writer on one stream in one batch: the function decides each, the current one's frames keep their order")
  void twoLeasesOnOneStream() throws Exception {
    var old = start(6);
    var current = store.reclaim(old.executionId(), Duration.ofMinutes(5));
    var batch = write(List.of(durable(current, "n0"), durable(old, "o0"), durable(current, "n1")));
    assertThat(failure(batch.get(1))).isInstanceOf(StaleOwnerException.class);
    assertThat(outcome(batch.get(0)).frameCount()).isEqualTo(1);
    assertThat(outcome(batch.get(2)).frameCount()).isEqualTo(2);
    assertThat(payloads(current)).containsExactly("n0", "n1");
  }

  @Test
  @DisplayName("a batch that crosses the cap trims the oldest frames by the watermark; one longer than the cap goes to the function, which trims into it")
  void trimsCrossingTheCap() throws Exception {
    var h = start(7);
    write(durables(h, "f", 7));
    var before = positions(h);
    var batch = write(durables(h, "x", 5));
    // 12 appended, cap 10: the two oldest went, the watermark is the newer of them
    assertThat(payloads(h)).containsExactly("f2", "f3", "f4", "f5", "f6", "x0", "x1", "x2", "x3", "x4");
    assertThat(row(h).subList(0, 4)).containsExactly(12L, 24L, 10L, before.get(1));
    assertThat(outcome(batch.get(4)).frameCount()).isEqualTo(12);
    assertThat(store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 100).durableTrimmedThrough())
        .isEqualTo(Positions.toId(before.get(1)));

    var longer = write(durables(h, "y", CAP + 3));
    var expected = new ArrayList<String>();
    for (int i = 3; i < CAP + 3; i++) {
      expected.add("y" + i);
    }
    assertThat(payloads(h)).isEqualTo(expected);
    assertThat(row(h).subList(0, 3)).containsExactly(25L, 53L, 10L);
    assertThat(outcome(longer.getLast()).frameCount()).isEqualTo(25);
    // and the runs' statement takes over again from the function's trim
    write(List.of(durable(h, "z0"), durable(h, "z1")));
    assertThat(payloads(h).getLast()).isEqualTo("z1");
    assertThat(payloads(h)).hasSize(CAP).first().isEqualTo("y5");
    assertThat(row(h).subList(0, 3)).containsExactly(27L, 57L, 10L);
  }

  @Test
  @DisplayName("named appends and replays inside a batch go through the function, plain ones to another stream through the runs")
  void idempotentReplaysInsideABatch() throws Exception {
    var keyed = start(8);
    var plain = start(9);
    var batch = write(List.of(
        request(keyed, Frame.of("log", "k").withIdempotencyKey("key-1")),
        durable(plain, "p0"),
        request(keyed, Frame.of("log", "k").withIdempotencyKey("key-1")),
        durable(keyed, "u0"),
        durable(plain, "p1")));
    var first = outcome(batch.get(0));
    var replay = outcome(batch.get(2));
    assertThat(first.replayed()).isFalse();
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.id()).isEqualTo(first.id());
    assertThat(outcome(batch.get(3)).frameCount()).isEqualTo(2);
    assertThat(payloads(keyed)).containsExactly("k", "u0");
    assertThat(payloads(plain)).containsExactly("p0", "p1");
    // a replay in a later batch, next to plain appends of its own stream
    var later = write(List.of(durable(keyed, "u1"), request(keyed, Frame.of("log", "k").withIdempotencyKey("key-1"))));
    assertThat(outcome(later.get(1)).replayed()).isTrue();
    assertThat(payloads(keyed)).containsExactly("k", "u0", "u1");
  }

  @Test
  @DisplayName("summary and best-effort frames in a batch keep the function's semantics next to a run")
  void otherModesNextToARun() throws Exception {
    var h = start(10);
    var other = start(11);
    var live = start(15);
    var batch = write(List.of(
        request(h, Frame.of("progress", "{\"a\":1}").withMode(StreamMode.durableSummary())),
        durable(other, "d0"),
        request(live, Frame.of("token", "t0").withMode(StreamMode.bestEffortLive(60_000))),
        request(h, Frame.of("progress", "{\"b\":2}").withMode(StreamMode.durableSummary())),
        durable(other, "d1"),
        request(live, Frame.of("token", "t1").withMode(StreamMode.bestEffortLive(60_000)))));
    assertThat(outcome(batch.get(3)).summaryVersion()).isEqualTo(2L);
    assertThat(outcome(batch.get(5)).frameCount()).isEqualTo(2);
    assertThat(payloads(live)).containsExactly("t0", "t1");
    assertThat(store.readSummary(h.executionId(), h.attemptIndex()).orElseThrow().documentJson())
        .contains("\"a\": 1").contains("\"b\": 2");
    assertThat(payloads(other)).containsExactly("d0", "d1");
  }

  @Test
  @DisplayName("a watched stream gets one notification naming it; an unwatched one none")
  void onlyWatchedStreamsAreNotified() throws Exception {
    var watched = start(12);
    var quiet = start(13);
    long watchedId = row(watched).get(5);
    try (var listen = java.sql.DriverManager.getConnection(store.database().config().jdbcUrl(), "postgres", null)) {
      try (var st = listen.createStatement()) {
        st.execute("LISTEN " + Notifier.CHANNEL);
        st.execute("SELECT tb_watch_streams(ARRAY[" + watchedId + "]::bigint[], 60000)");
      }
      write(List.of(durable(quiet, "q0"), durable(quiet, "q1")));
      var pg = listen.unwrap(PGConnection.class);
      assertThat(pg.getNotifications(500)).isNullOrEmpty();
      write(List.of(durable(watched, "w0"), durable(quiet, "q2"), durable(watched, "w1")));
      var got = pg.getNotifications(5_000);
      assertThat(got).hasSize(1);
      assertThat(got[0].getParameter()).isEqualTo(Long.toString(watchedId));
    }
  }

  @Test
  @DisplayName("appendAll of plain durable frames: one run, all or nothing, the fence checked once")
  void appendAllAsOneRun() throws Exception {
    var h = start(14);
    var frames = durables(h, "r", 5).stream().map(r -> Frame.of("log", r.payload())).toList();
    var outcomes = store.appendAll(h, frames);
    assertThat(outcomes).extracting(AppendOutcome::frameCount).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(payloads(h)).containsExactly("r0", "r1", "r2", "r3", "r4");
    var reclaimed = store.reclaim(h.executionId(), Duration.ofMinutes(5));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.appendAll(h, frames))
        .isInstanceOf(StaleOwnerException.class).hasMessageContaining("frame 0");
    assertThat(payloads(reclaimed)).isEmpty();
    // longer than the cap: the function, all of it, trimmed to the cap
    var many = durables(reclaimed, "m", CAP + 2).stream().map(r -> Frame.of("log", r.payload())).toList();
    assertThat(store.appendAll(reclaimed, many)).hasSize(CAP + 2);
    assertThat(payloads(reclaimed)).hasSize(CAP).first().isEqualTo("m2");
  }
}
