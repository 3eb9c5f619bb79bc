package io.tributary.postgres;

/**
 * Every SQL statement of the attempt-stream store. The heavy lifting lives in the server-side
 * functions of {@code io/tributary/db/migration/R__attempt_functions.sql} (the tables are in
 * {@code V1__streams.sql}); each public operation is one round trip.
 */
final class AttemptStreamSql {
  private AttemptStreamSql() {}

  static final String APPEND_BATCH =
      "SELECT r_ord, r_status, r_pos, r_frame_count, r_summary_version, r_detail, r_stream_id,"
          + " r_replayed FROM tb_append_batch(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * One durable, unnamed append as one statement, no PL/pgSQL: the common case of {@code
   * tb_append_batch} for a single frame, with the same fence, id, counter, trim and notify
   * rules. Parameters: now (null: the database clock), durable cap, payload length, execution
   * uuid, partition, attempt index, lease id, epoch, frame type, payload, correlation id. Returns
   * one row (stream id, position, lifetime frame count) when it appended; no row when the append
   * needs the function (fence failure, unknown attempt, an expired best-effort-only stream, a
   * stream above its cap), which then answers with the exact status.
   *
   * <p>The trim drops the oldest durable frame above the retention watermark: the watermark comes
   * from the stream row as locked (the newest version), so a concurrent append's trim, which this
   * statement's snapshot may not see, is never repeated or miscounted. When no such frame is
   * visible the append keeps its frame over the cap and the next append's function call trims.
   */
  static final String APPEND_ONE =
      "WITH n AS (SELECT tb_now_ms(?::bigint) AS now_ms,"
          + "   (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS real_ms, ?::bigint AS cap),"
          + " s AS (UPDATE tb_stream t SET"
          + "   last_pos = CASE WHEN n.now_ms > (t.last_pos >> 16) THEN n.now_ms << 16 ELSE t.last_pos + 1 END,"
          + "   frame_count = t.frame_count + 1, total_bytes = t.total_bytes + ?,"
          + "   durable_trimmed_pos = CASE WHEN t.durable_retained >= n.cap THEN coalesce(("
          + "       SELECT f.pos FROM tb_frame f WHERE f.stream_id = t.id AND f.mode = 0"
          + "       AND f.pos > t.durable_trimmed_pos ORDER BY f.pos LIMIT 1), t.durable_trimmed_pos)"
          + "     ELSE t.durable_trimmed_pos END,"
          + "   durable_retained = CASE WHEN t.durable_retained >= n.cap AND EXISTS ("
          + "       SELECT 1 FROM tb_frame f WHERE f.stream_id = t.id AND f.mode = 0"
          + "       AND f.pos > t.durable_trimmed_pos) THEN n.cap ELSE t.durable_retained + 1 END,"
          + "   has_durable = true, be_expires_at_ms = NULL"
          + "   FROM n"
          + "   WHERE t.kind = 1 AND t.execution_id = ? AND t.partition_key = ? AND t.attempt_index = ?"
          + "   AND tb_fence_status(t, ?, ?, n.now_ms) = 0 AND t.durable_retained <= n.cap"
          + "   AND (t.has_durable OR t.be_expires_at_ms IS NULL OR t.be_expires_at_ms > n.now_ms)"
          + "   RETURNING t.id, t.last_pos, t.frame_count, t.durable_trimmed_pos,"
          + "     t.durable_retained = n.cap AS at_cap, t.watched_until_ms > n.real_ms AS watched, n.now_ms),"
          + " i AS (INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id)"
          + "   SELECT s.id, s.last_pos, 0, s.now_ms, ?, ?, ? FROM s),"
          // at most one frame lies between the old and the new watermark: the one the trim drops
          + " d AS (DELETE FROM tb_frame f USING s WHERE s.at_cap AND f.stream_id = s.id AND f.mode = 0"
          + "   AND f.pos = s.durable_trimmed_pos)"
          + " SELECT s.id, s.last_pos, s.frame_count,"
          + "   CASE WHEN s.watched THEN pg_notify('" + Notifier.CHANNEL + "', s.id::text) END FROM s";

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
