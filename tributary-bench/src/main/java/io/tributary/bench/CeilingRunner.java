package io.tributary.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The plain-INSERT ceiling: what PostgreSQL itself does with one row per transaction, from this
 * JVM through pgjdbc, the same client as Tributary's. Each writer owns one connection and one
 * stream id and runs a prepared, autocommitted {@code INSERT} of a 100-byte frame into {@value
 * #TABLE}, a copy of {@code tb_frame} with the same columns and indexes ({@code LIKE tb_frame
 * INCLUDING ALL}), in database {@value TributaryRunner#DB}. No stream row, no fence, no trim, no
 * notification: a Tributary append cannot be cheaper than this.
 */
final class CeilingRunner {
  static final String TABLE = "bench_ceiling_frame";
  static final String INSERT =
      "INSERT INTO " + TABLE + " (stream_id, pos, mode, ts_ms, frame_type, payload) VALUES (?, ?, 0, ?, ?, ?)";

  private final Pg pg;
  private final Meter meter;
  private final long cores;

  CeilingRunner(Pg pg, Long postmasterPid, long cores) {
    this.pg = pg;
    this.meter = new Meter(pg, TributaryRunner.DB, postmasterPid);
    this.cores = cores;
  }

  /** Creates the table; call after {@link TributaryRunner#setUp()} (it copies tb_frame). */
  void setUp() throws SQLException {
    pg.execute(TributaryRunner.DB, "DROP TABLE IF EXISTS " + TABLE,
        "CREATE TABLE " + TABLE + " (LIKE tb_frame INCLUDING ALL)");
  }

  RunResult run(String key, int rep, int writers, int durationS) throws SQLException, InterruptedException {
    pg.execute(TributaryRunner.DB, "TRUNCATE " + TABLE, "CHECKPOINT");
    var payload = new byte[TributaryRunner.PAYLOAD_BYTES];
    Arrays.fill(payload, (byte) 'x');
    var connections = new ArrayList<Connection>();
    try {
      for (int w = 0; w < writers; w++) {
        connections.add(pg.connect(TributaryRunner.DB));
      }
      return measure(connections, payload, key, rep, durationS);
    } finally {
      for (var c : connections) {
        c.close();
      }
    }
  }

  private RunResult measure(List<Connection> connections, byte[] payload, String key, int rep, int durationS)
      throws SQLException, InterruptedException {
    int writers = connections.size();
    var counts = new AtomicLongArray(writers * 16);
    var errors = new AtomicLongArray(writers * 16);
    var firstError = new AtomicReference<Throwable>();
    var latencies = new long[writers][];
    var go = new CountDownLatch(1);
    var stop = new AtomicBoolean();
    var threads = new ArrayList<Thread>();
    for (int w = 0; w < writers; w++) {
      int slot = w * 16;
      int me = w;
      var c = connections.get(w);
      threads.add(Thread.ofPlatform().name("ceiling-writer-" + w).start(() -> {
        var lat = new long[1 << 16];
        int n = 0;
        long pos = 0;
        try (var ps = c.prepareStatement(INSERT)) {
          go.await();
          while (!stop.get()) {
            long t = System.nanoTime();
            try {
              ps.setLong(1, me + 1);
              ps.setLong(2, ++pos);
              ps.setLong(3, System.currentTimeMillis());
              ps.setString(4, "stdout");
              ps.setBytes(5, payload);
              ps.executeUpdate();
            } catch (SQLException e) {
              errors.incrementAndGet(slot);
              firstError.compareAndSet(null, e);
              continue;
            }
            if (n == lat.length) {
              lat = Arrays.copyOf(lat, n * 2);
            }
            lat[n++] = System.nanoTime() - t;
            counts.lazySet(slot, n);
          }
        } catch (SQLException | InterruptedException e) {
          firstError.compareAndSet(null, e);
        }
        latencies[me] = Arrays.copyOf(lat, n);
      }));
    }
    var before = meter.snapshot();
    long t0 = System.nanoTime();
    go.countDown();
    Thread.sleep(durationS * 1000L);
    long appends = 0;
    for (int w = 0; w < writers; w++) {
      appends += counts.get(w * 16);
    }
    long t1 = System.nanoTime();
    var after = meter.snapshot();
    stop.set(true);
    for (var t : threads) {
      t.join();
    }
    long errs = 0;
    for (int w = 0; w < writers; w++) {
      errs += errors.get(w * 16);
    }
    if (firstError.get() != null) {
      System.err.println("  ! " + errs + " failed inserts in " + key + ", first: " + firstError.get());
    }
    var all = Arrays.stream(latencies).filter(a -> a != null).flatMapToLong(Arrays::stream).sorted().toArray();
    double avg = all.length == 0 ? Double.NaN : Arrays.stream(all).average().orElse(0) / 1e6;
    double window = (t1 - t0) / 1e9;
    return new RunResult("insert", key, rep, appends / window, appends, avg, TributaryRunner.pct(all, 0.50),
        TributaryRunner.pct(all, 0.99), errs, meter.between(before, after, cores),
        appends / (double) writers);
  }
}
