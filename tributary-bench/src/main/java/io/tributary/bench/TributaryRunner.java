package io.tributary.bench;

import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.PostgresStreamStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Durable appends through the library ({@link PostgresStreamStore#append}), 100-byte payloads,
 * one stream per writer, each writer a platform thread in this JVM calling {@code append} in a
 * loop (one append in flight per writer, like one pgbench client).
 *
 * <p>Every run opens a fresh store (pool, listener, committers) on database {@value #DB} after
 * TRUNCATE + CHECKPOINT, starts one attempt per writer, and counts the appends committed in a
 * fixed window. The JIT is warmed once per JVM by {@link #warmUp}.
 */
final class TributaryRunner {
  static final String DB = "tributary_bench";
  static final int PAYLOAD_BYTES = 100;

  private final Pg pg;
  private final Meter meter;
  private final long cores;

  TributaryRunner(Pg pg, Long postmasterPid, long cores) {
    this.pg = pg;
    this.meter = new Meter(pg, DB, postmasterPid);
    this.cores = cores;
  }

  /** Creates the database; the first store opened on it migrates the schema. */
  void setUp() throws SQLException {
    pg.recreateDatabase(DB);
    try (var store = PostgresStreamStore.open(config(StoreConfig.DEFAULT_DURABLE_RETENTION))) {
      store.expireLeases(); // touch the database once so migrations run now, not in a measured run
    }
  }

  /**
   * One run.
   *
   * @param writers writer threads, each on its own stream
   * @param preload frames put into each stream before the run (direct INSERT, see {@link #preload})
   * @param retention the store's durable retention cap
   */
  /** Case-key suffix of runs without notifications (to measure what NOTIFY costs commits). */
  static final String SILENT = "-silent";

  RunResult run(String key, int rep, int writers, long preload, long retention, int durationS)
      throws SQLException, InterruptedException {
    return run(key, rep, writers, 1, preload, retention, durationS, false);
  }

  RunResult run(
      String key, int rep, int writers, long preload, long retention, int durationS, boolean freshStats)
      throws SQLException, InterruptedException {
    return run(key, rep, writers, 1, preload, retention, durationS, freshStats);
  }

  /**
   * @param freshStats give the planner the statistics of a freshly created (empty, analyzed) table
   *     and do not analyze after the preload, as on a new deployment before autovacuum's first
   *     ANALYZE; otherwise the statistics are those of a populated table (see {@link #warmUp})
   */
  RunResult run(
      String key,
      int rep,
      int writers,
      int inFlight,
      long preload,
      long retention,
      int durationS,
      boolean freshStats)
      throws SQLException, InterruptedException {
    // TRUNCATE keeps pg_statistic: the planner keeps seeing the last ANALYZE's picture
    pg.execute(DB, "TRUNCATE tb_frame, tb_summary, tb_stream, tb_execution");
    if (freshStats) {
      pg.execute(DB, "ANALYZE tb_frame, tb_stream");
    }
    try (var store = PostgresStreamStore.open(config(retention))) {
      var handles = new ArrayList<Handle>();
      for (int i = 0; i < writers; i++) {
        handles.add(store.startAttempt(ExecutionId.random(i), Duration.ofHours(1)));
      }
      if (preload > 0) {
        for (var h : handles) {
          preload(h, preload);
        }
        pg.execute(DB, freshStats ? "VACUUM tb_stream" : "VACUUM (ANALYZE) tb_frame, tb_stream");
      }
      pg.execute(DB, "CHECKPOINT");
      if (!key.endsWith(SILENT)) {
        return measure(store, handles, inFlight, key, rep, durationS);
      }
      // what NOTIFY costs: the same run with the store's notification step made a no-op
      String original =
          pg.queryString(DB, "SELECT pg_get_functiondef('tb_notify_streams(bigint[])'::regprocedure)");
      pg.execute(
          DB,
          "CREATE OR REPLACE FUNCTION tb_notify_streams(p_ids bigint[]) RETURNS void"
              + " LANGUAGE plpgsql AS $$ BEGIN END $$");
      try {
        return measure(store, handles, inFlight, key, rep, durationS);
      } finally {
        pg.execute(DB, original);
      }
    }
  }

  /**
   * Unmeasured appends so the measured runs see compiled code and a warm pool; then an ANALYZE of
   * the populated tables (8 streams), so every later run plans with the statistics of a table in
   * use rather than whatever an earlier ANALYZE happened to see (TRUNCATE keeps them).
   */
  void warmUp(int seconds) throws SQLException, InterruptedException {
    run("warmup", 0, 1, 0, StoreConfig.DEFAULT_DURABLE_RETENTION, Math.max(1, seconds / 2));
    run("warmup", 0, 8, 0, StoreConfig.DEFAULT_DURABLE_RETENTION, seconds);
    pg.execute(DB, "ANALYZE tb_frame, tb_stream");
  }

  private StoreConfig config(long retention) {
    return StoreConfig.builder(pg.jdbcUrl(DB))
        .user(pg.user())
        .password(pg.password())
        .durableRetention(retention)
        .build();
  }

  /**
   * Fills a stream with {@code n} durable frames in one statement and sets the stream row's
   * counters to match, as if they had been appended one per ms ending 1 s ago. Positions follow
   * the store's packing ({@code ms << 16 | seq}).
   */
  private void preload(Handle h, long n) throws SQLException {
    long id =
        Long.parseLong(
            pg.queryString(
                DB,
                "SELECT id FROM tb_stream WHERE kind = 1 AND execution_id = '"
                    + h.executionId().uuid() + "' AND attempt_index = " + h.attemptIndex()));
    pg.execute(
        DB,
        "INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload)"
            + " SELECT " + id + ", (t0 - " + n + " + g) << 16, 0, t0 - " + n + " + g, 'stdout',"
            + " convert_to(repeat('x', " + PAYLOAD_BYTES + "), 'UTF8')"
            + " FROM (SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint - 1000 AS t0) t,"
            + " generate_series(1, " + n + ") g",
        "UPDATE tb_stream SET last_pos = m.max_pos, frame_count = m.n, total_bytes = m.bytes,"
            + " durable_retained = m.n, has_durable = true"
            + " FROM (SELECT max(pos) AS max_pos, count(*) AS n, sum(octet_length(payload)) AS bytes"
            + "       FROM tb_frame WHERE stream_id = " + id + ") m"
            + " WHERE tb_stream.id = " + id);
  }

  private RunResult measure(
      PostgresStreamStore store, List<Handle> handles, int inFlight, String key, int rep, int durationS)
      throws SQLException, InterruptedException {
    var payload = new byte[PAYLOAD_BYTES];
    Arrays.fill(payload, (byte) 'x');
    var frame = Frame.of("stdout", payload);
    var writers = new ArrayList<WriteWindow.Writer>();
    for (var h : handles) {
      writers.add(
          inFlight > 1
              ? tally -> pipeline(store, h, frame, inFlight, tally)
              : tally -> {
                while (tally.running()) {
                  tally.time(() -> store.append(h, frame));
                }
              });
    }
    var window = WriteWindow.measure("bench-writer", writers, meter, cores, durationS);
    window.reportErrors("appends", key);
    var fps = pg.queryString(DB, "SELECT avg(frame_count) FROM tb_stream");
    return new RunResult(
        "tributary", key, rep, window.perSecond(), window.writes(), window.averageMs(), window.percentileMs(0.50),
        window.percentileMs(0.99), window.errors(), window.costs(),
        fps == null ? Double.NaN : Double.parseDouble(fps));
  }

  /**
   * One writer that keeps up to {@code inFlight} appends outstanding (appendAsync), as a token
   * streamer that does not wait for each acknowledgement would.
   */
  private static void pipeline(
      PostgresStreamStore store, Handle h, Frame frame, int inFlight, WriteWindow.Tally tally)
      throws InterruptedException {
    var permits = new java.util.concurrent.Semaphore(inFlight);
    while (tally.running()) {
      permits.acquire();
      long t = System.nanoTime();
      store
          .appendAsync(h, frame)
          .whenComplete(
              (o, e) -> {
                if (e != null) {
                  tally.failed(e);
                } else {
                  tally.done(System.nanoTime() - t);
                }
                permits.release();
              });
    }
    permits.acquireUninterruptibly(inFlight);
  }

  static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
  }
}
