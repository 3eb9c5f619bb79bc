package io.tributary.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    var writers = new ArrayList<WriteWindow.Writer>();
    for (int w = 0; w < connections.size(); w++) {
      long streamId = w + 1;
      var c = connections.get(w);
      writers.add(tally -> {
        long[] pos = {0};
        try (var ps = c.prepareStatement(INSERT)) {
          while (tally.running()) {
            tally.time(() -> {
              ps.setLong(1, streamId);
              ps.setLong(2, ++pos[0]);
              ps.setLong(3, System.currentTimeMillis());
              ps.setString(4, "stdout");
              ps.setBytes(5, payload);
              ps.executeUpdate();
            });
          }
        }
      });
    }
    var window = WriteWindow.measure("ceiling-writer", writers, meter, cores, durationS);
    window.reportErrors("inserts", key);
    return new RunResult("insert", key, rep, window.perSecond(), window.writes(), window.averageMs(),
        window.percentileMs(0.50), window.percentileMs(0.99), window.errors(), window.costs(),
        window.writes() / (double) connections.size());
  }
}
