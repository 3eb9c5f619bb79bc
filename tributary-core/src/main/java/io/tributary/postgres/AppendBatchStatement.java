package io.tributary.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.UUID;

/**
 * One call of {@code tb_append_batch} for a list of appends, bound and ready to run: the group
 * committer and the all-or-nothing batch append both send exactly this statement. Item {@code i}
 * of the list is {@code r_ord = i} in the result.
 */
final class AppendBatchStatement {
  private AppendBatchStatement() {}

  /**
   * @param alwaysKeys bind the key arrays even when no append is named (otherwise two nulls,
   *     which spare an unnamed batch the key lookups)
   */
  static PreparedStatement prepare(Connection c, Database db, List<AppendRequest> batch, boolean alwaysKeys)
      throws SQLException {
    int n = batch.size();
    var ord = new Integer[n];
    var eids = new UUID[n];
    var partitions = new Integer[n];
    var attempts = new Long[n];
    var leases = new UUID[n];
    var epochs = new Long[n];
    var modes = new Short[n];
    var types = new String[n];
    var payloads = new byte[n][];
    var correlations = new String[n];
    var ttls = new Long[n];
    var floors = new Long[n];
    var ceilings = new Long[n];
    var alphas = new Double[n];
    String[] keys = alwaysKeys ? new String[n] : null;
    byte[][] fingerprints = alwaysKeys ? new byte[n][] : null;
    for (int i = 0; i < n; i++) {
      var r = batch.get(i);
      ord[i] = i;
      eids[i] = r.handle().executionId().uuid();
      partitions[i] = r.handle().executionId().partition();
      attempts[i] = r.handle().attemptIndex();
      leases[i] = r.handle().leaseId();
      epochs[i] = r.handle().leaseEpoch();
      modes[i] = r.mode();
      types[i] = r.frameType();
      payloads[i] = r.payload();
      correlations[i] = r.correlationId();
      var be = r.bestEffort();
      ttls[i] = be == null ? 0L : be.ttlMs();
      floors[i] = be == null ? 0L : be.maxlenFloor();
      ceilings[i] = be == null ? 0L : be.maxlenCeiling();
      alphas[i] = be == null ? 0.0 : be.emaAlpha();
      if (r.idempotencyKey() != null) {
        if (keys == null) {
          keys = new String[n];
          fingerprints = new byte[n][];
        }
        keys[i] = r.idempotencyKey();
        fingerprints[i] = r.fingerprint();
      }
    }
    var ps = c.prepareStatement(AttemptStreamSql.APPEND_BATCH);
    try {
      ps.setArray(1, c.createArrayOf("int4", ord));
      ps.setArray(2, c.createArrayOf("uuid", eids));
      ps.setArray(3, c.createArrayOf("int4", partitions));
      ps.setArray(4, c.createArrayOf("int8", attempts));
      ps.setArray(5, c.createArrayOf("uuid", leases));
      ps.setArray(6, c.createArrayOf("int8", epochs));
      ps.setArray(7, c.createArrayOf("int2", modes));
      ps.setArray(8, c.createArrayOf("text", types));
      ps.setArray(9, c.createArrayOf("bytea", payloads));
      ps.setArray(10, c.createArrayOf("text", correlations));
      ps.setArray(11, c.createArrayOf("int8", ttls));
      ps.setArray(12, c.createArrayOf("int8", floors));
      ps.setArray(13, c.createArrayOf("int8", ceilings));
      ps.setArray(14, c.createArrayOf("float8", alphas));
      ps.setLong(15, db.config().durableRetention());
      ps.setLong(16, db.config().summaryRetention());
      db.bindNow(ps, 17);
      if (keys == null) {
        ps.setNull(18, Types.ARRAY);
        ps.setNull(19, Types.ARRAY);
      } else {
        ps.setArray(18, c.createArrayOf("text", keys));
        ps.setArray(19, c.createArrayOf("bytea", fingerprints));
      }
      ps.setLong(20, db.config().appendKeyWindow());
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /** The outcome in a result row of status {@link AttemptStatus#OK}. */
  static io.tributary.api.AppendOutcome outcome(java.sql.ResultSet rs) throws SQLException {
    long sv = rs.getLong(5);
    Long summaryVersion = rs.wasNull() ? null : sv;
    return new io.tributary.api.AppendOutcome(
        Positions.toId(rs.getLong(3)), rs.getLong(4), summaryVersion, rs.getBoolean(8));
  }

  /** The stream a result row's append went to, to wake its local readers. */
  static long streamId(java.sql.ResultSet rs) throws SQLException {
    return rs.getLong(7);
  }
}
