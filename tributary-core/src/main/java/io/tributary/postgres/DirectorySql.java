package io.tributary.postgres;

import io.tributary.api.ExecutionQuery;

/**
 * The discovery queries. Each state filter has a query of its own whose WHERE clause repeats its
 * partial index's predicate literally, so the planner picks that index for custom and generic
 * plans alike; a page is one index range scan of at most {@code limit} rows plus primary-key
 * lookups of the execution and summary rows.
 */
final class DirectorySql {
  private DirectorySql() {}

  private static final String EXECUTION_COLUMNS =
      "s.execution_id, s.partition_key, s.exec_created_at_ms, e.next_attempt_index, s.attempt_index,"
          + " s.created_at_ms, s.lease_epoch, s.lease_expires_at_ms, s.closed_at_ms, s.closed_reason,"
          + " s.frame_count, s.total_bytes, s.last_pos, m.version";

  /**
   * The page query for a state filter; parameters: [reason,] [[reason,] created, uuid, partition,] limit.
   *
   * @param withReason the query filters by close reason (state is then closed)
   * @param withCursor the query continues after a cursor
   */
  static String executions(ExecutionQuery.State state, boolean withReason, boolean withCursor) {
    var where = new StringBuilder("s.kind = 1 AND s.is_current");
    if (state == ExecutionQuery.State.OPEN) {
      where.append(" AND s.closed_at_ms IS NULL");
    } else if (state == ExecutionQuery.State.CLOSED) {
      where.append(" AND s.closed_at_ms IS NOT NULL");
    }
    if (withReason) {
      where.append(" AND s.closed_reason = ?");
    }
    if (withCursor && withReason) {
      // with the reason in the row the planner sees the reason index's order (it does not for
      // the three trailing columns alone); the reason is bound twice
      where.append(" AND (s.closed_reason, s.exec_created_at_ms, s.execution_id, s.partition_key) < (?, ?, ?, ?)");
    } else if (withCursor) {
      where.append(" AND (s.exec_created_at_ms, s.execution_id, s.partition_key) < (?, ?, ?)");
    }
    return "SELECT " + EXECUTION_COLUMNS
        + " FROM tb_stream s"
        + " JOIN tb_execution e ON e.execution_id = s.execution_id AND e.partition_key = s.partition_key"
        + " LEFT JOIN tb_summary m ON m.stream_id = s.id"
        + " WHERE " + where
        + " ORDER BY " + (withReason ? "s.closed_reason DESC, " : "")
        + "s.exec_created_at_ms DESC, s.execution_id DESC, s.partition_key DESC LIMIT ?";
  }

  /** One execution and its attempts, oldest first; parameters: uuid, partition. */
  static final String EXECUTION =
      "SELECT e.next_attempt_index, e.current_stream_id, s.id, s.attempt_index, s.created_at_ms,"
          + " s.lease_epoch, s.lease_expires_at_ms, s.closed_at_ms, s.closed_reason, s.frame_count,"
          + " s.total_bytes, s.last_pos, m.version, s.exec_created_at_ms"
          + " FROM tb_execution e"
          + " LEFT JOIN tb_stream s ON s.kind = 1 AND s.execution_id = e.execution_id"
          + " AND s.partition_key = e.partition_key"
          + " LEFT JOIN tb_summary m ON m.stream_id = s.id"
          + " WHERE e.execution_id = ? AND e.partition_key = ?"
          + " ORDER BY s.attempt_index";

  /**
   * Named streams in byte order; parameters: now (or null), lower bound (inclusive), after
   * (exclusive; '' for none), [upper bound (exclusive),] limit.
   */
  static String namedStreams(boolean withUpperBound) {
    return "SELECT ds_path, ds_content_type, created_at_ms, closed_at_ms IS NOT NULL, frame_count,"
        + " total_bytes, least(ds_expires_at_ms, ds_last_access_ms + ds_ttl_seconds * 1000)"
        + " FROM tb_stream s, tb_now_ms(?) AS now(ms)"
        + " WHERE s.kind = 2 AND NOT s.ds_soft_deleted"
        + " AND (s.ds_path COLLATE \"C\") >= ? AND (s.ds_path COLLATE \"C\") > ?"
        + (withUpperBound ? " AND (s.ds_path COLLATE \"C\") < ?" : "")
        + " AND NOT tb_ds_expired(s, now.ms)"
        + " ORDER BY (s.ds_path COLLATE \"C\") LIMIT ?";
  }
}
