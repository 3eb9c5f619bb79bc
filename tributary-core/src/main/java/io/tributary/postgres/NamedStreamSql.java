package io.tributary.postgres;

/**
 * Every SQL statement of the named-stream store. The steps themselves are server-side functions
 * in {@code io/tributary/db/migration/R__named_functions.sql} (the tables are in {@code
 * V2__named_streams.sql}); each store operation is one round trip.
 */
final class NamedStreamSql {
  private NamedStreamSql() {}

  static final String CREATE =
      "SELECT r_status, r_id, r_content_type, r_json, r_last_pos, r_closed, r_ttl_seconds,"
          + " r_expires_at_ms, r_detail FROM tb_ds_create(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * Resolves a path (refreshing a sliding TTL when asked) and reads frames with positions in
   * (after, upper] across the stream's segments: its ancestors up to their caps, then itself up to
   * the tail it had when resolved. One row per frame, oldest first; one row with null pos when
   * there are none or the stream is not readable.
   *
   * <p>Parameters: path, now, touch, after, upper, per-segment limit, total limit.
   */
  static final String READ =
      "SELECT m.r_status, m.r_id, m.r_content_type, m.r_json, m.r_last_pos, m.r_closed,"
          + " m.r_ttl_seconds, m.r_expires_at_ms, f.pos, f.payload"
          + " FROM tb_ds_open(?, ?, ?) m LEFT JOIN LATERAL ("
          + "   SELECT x.pos, x.payload FROM unnest(m.r_seg_ids, m.r_seg_caps) AS seg(sid, cap)"
          + "   CROSS JOIN LATERAL (SELECT pos, payload FROM tb_frame"
          + "     WHERE stream_id = seg.sid AND pos > ? AND pos <= least(seg.cap, ?)"
          + "     ORDER BY pos LIMIT ?) x"
          + "   ORDER BY x.pos LIMIT ?) f ON m.r_status = 'ok'"
          + " ORDER BY f.pos";

  static final String DELETE = "SELECT tb_ds_delete(?, ?)";

  static final String SWEEP = "SELECT tb_ds_sweep(?, ?)";
}
