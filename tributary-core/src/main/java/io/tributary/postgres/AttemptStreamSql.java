package io.tributary.postgres;

/**
 * Every SQL statement of the attempt-stream store. The heavy lifting lives in the server-side
 * functions of {@code io/tributary/db/migration/V2__attempt_functions.sql} (the tables are in
 * {@code V1__streams.sql}); each public operation is one round trip.
 */
final class AttemptStreamSql {
  private AttemptStreamSql() {}

  static final String APPEND_BATCH =
      "SELECT r_ord, r_status, r_pos, r_frame_count, r_summary_version, r_detail, r_stream_id,"
          + " r_replayed FROM tb_append_batch(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  static final String START_ATTEMPT =
      "SELECT r_status, r_attempt_index, r_attempt_id, r_lease_id, r_lease_epoch,"
          + " r_lease_expires_at_ms FROM tb_start_attempt(?, ?, ?, ?, ?)";

  static final String LEASE_STEP =
      "SELECT r_status, r_lease_expires_at_ms, r_closed_reason"
          + " FROM tb_lease_step(?, ?, ?, ?, ?, ?, ?, ?)";

  static final String EXPIRE_LEASES = "SELECT tb_expire_leases(?)";

  /**
   * Frames in [lo, hi] with the stream's close markers and durable retention watermark (same
   * snapshot as the frames); one row with null frame when none.
   */
  static final String READ_RANGE =
      "SELECT s.id, s.closed_at_ms, s.closed_reason, f.pos, f.mode, f.ts_ms, f.frame_type,"
          + " f.payload, f.correlation_id, f.summary_version, f.ttl_ms, s.durable_trimmed_pos"
          + " FROM tb_stream s LEFT JOIN LATERAL ("
          + "   SELECT * FROM tb_frame f WHERE f.stream_id = s.id AND f.pos >= ? AND f.pos <= ?"
          + "   AND f.mode <> ?"
          + "   AND (s.has_durable OR s.be_expires_at_ms IS NULL OR s.be_expires_at_ms > ?)"
          + "   ORDER BY f.pos LIMIT ?) f ON true"
          + " WHERE s.kind = 1 AND s.execution_id = ? AND s.partition_key = ? AND s.attempt_index = ?"
          + " ORDER BY f.pos";

  static final String HEAD =
      "SELECT last_pos, frame_count, total_bytes, created_at_ms, closed_at_ms, closed_reason"
          + " FROM tb_stream"
          + " WHERE kind = 1 AND execution_id = ? AND partition_key = ? AND attempt_index = ?";

  static final String READ_SUMMARY =
      "SELECT m.document::text, m.version, m.first_applied_ms, m.last_updated_ms"
          + " FROM tb_stream s JOIN tb_summary m ON m.stream_id = s.id"
          + " WHERE s.kind = 1 AND s.execution_id = ? AND s.partition_key = ? AND s.attempt_index = ?";
}
