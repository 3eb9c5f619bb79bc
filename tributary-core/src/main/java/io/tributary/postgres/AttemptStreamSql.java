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
   * one row (stream id, position, lifetime frame count, notify, the frame's timestamp, the durable
   * watermark after the statement) when it appended; no row when the append
   * needs the function (fence failure, unknown attempt, an expired best-effort-only stream, a
   * stream above its cap), which then answers with the exact status.
   *
   * <p>The fence: the row update locks the stream row, and a lease step, revoke or close writes
   * that row under its own lock, so the two serialise; an append that waited for one re-checks the
   * fence on the row as the step left it (READ COMMITTED re-reads the newest version) and then
   * writes nothing. Appends to one stream serialise on the same lock, in position order.
   *
   * <p>The trim, at the cap only: the update counts the new frame ({@code durable_retained} one
   * over the cap), and {@code tb_trim_oldest_durable}, called once the row is updated and locked,
   * drops the oldest durable frame above the watermark of the row as locked (the newest version,
   * so a concurrent append's trim is never repeated) and counts it off; its query sees the frames
   * of the appends that held the lock before. When it finds none the stream stays one over its cap
   * and the next append's function call trims. The trim is a function and not probes and a DELETE
   * in this statement because every part of a statement's plan is set up on every execution: below
   * the cap the trim now costs nothing (server time about 0.22 to 0.15 ms; docs/benchmarks.md "The
   * floor of a fenced append"). It must not run in the row update's SET: that is evaluated before
   * the row lock (and again after a wait), so two writers deadlocked there.
   */
  static final String APPEND_ONE =
      "WITH n AS (SELECT tb_now_ms(?::bigint) AS now_ms,"
          + "   (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS real_ms, ?::bigint AS cap),"
          + " s AS (UPDATE tb_stream t SET"
          + "   last_pos = CASE WHEN n.now_ms > (t.last_pos >> 16) THEN n.now_ms << 16 ELSE t.last_pos + 1 END,"
          + "   frame_count = t.frame_count + 1, total_bytes = t.total_bytes + ?,"
          + "   durable_retained = t.durable_retained + 1, has_durable = true, be_expires_at_ms = NULL"
          + "   FROM n"
          + "   WHERE t.kind = 1 AND t.execution_id = ? AND t.partition_key = ? AND t.attempt_index = ?"
          + "   AND tb_fence_status(t, ?, ?, n.now_ms) = 0 AND t.durable_retained <= n.cap"
          + "   AND (t.has_durable OR t.be_expires_at_ms IS NULL OR t.be_expires_at_ms > n.now_ms)"
          + "   RETURNING t.id, t.last_pos, t.frame_count, t.durable_trimmed_pos, t.durable_retained > n.cap AS over,"
          + "     t.watched_until_ms > n.real_ms AS watched, n.now_ms),"
          // whichever runs first, the trim never takes this frame: it is the stream's newest, and a
          // stream over its cap (>= 1) has an older durable frame above the watermark
          + " i AS (INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id)"
          + "   SELECT s.id, s.last_pos, 0, s.now_ms, ?, ?, ? FROM s)"
          + " SELECT s.id, s.last_pos, s.frame_count,"
          + "   CASE WHEN s.watched THEN pg_notify('" + Notifier.CHANNEL + "', s.id::text) END,"
          // the frame's timestamp and the watermark after the trim: the frame as a read returns it
          + "   s.now_ms AS ts_ms, coalesce(CASE WHEN s.over THEN tb_trim_oldest_durable(s.id, s.durable_trimmed_pos) END,"
          + "     s.durable_trimmed_pos) AS trimmed_pos FROM s";

  /**
   * Runs of plain durable, unnamed appends, one run per stream, as one set-based statement: per
   * run one stream-row lock (in run order, the callers' lock order), one fence check and one row
   * update that advances the position, counters and trim watermark by the run's length; one
   * multi-row INSERT of every frame; one DELETE of the frames the cap drops; one notification for
   * the watched streams. The same rules as {@code tb_append_batch}, which answers for the runs this
   * statement leaves out (no row): a fence failure, an unknown attempt, an expired
   * best-effort-only stream, a run longer than the cap.
   *
   * <p>Parameters: now (null: the database clock), durable cap; per run (arrays): execution uuid,
   * partition, attempt index, lease id, epoch, the 1-based index of its first frame, its length,
   * its payload bytes; per frame (arrays, grouped by run in order): its run's first-frame index,
   * frame type, payload, correlation id. Returns one row per written run: its first-frame index,
   * stream id, first position (frame {@code j} of the run has position + j), the stream's
   * lifetime frame count before the run, the notify, the frames' timestamp and the stream's durable
   * watermark after the statement.
   *
   * <p>Trims: the frames to drop are the oldest durable ones above the watermark of the row as
   * locked (the newest version), so a concurrent trim is never repeated; the DELETE's own count
   * sets the retained counter, so a frame this statement's snapshot cannot see yet (another
   * server's append that committed after the snapshot) is simply trimmed by a later append. The
   * cutoff's OFFSET is a run-time value on purpose: the planner then plans an ordered index scan
   * from the watermark even without statistics (a constant one made it scan and sort the whole
   * stream on a table never analyzed).
   */
  static final String APPEND_RUNS =
      "WITH n AS (SELECT tb_now_ms(?::bigint) AS now_ms,"
          + "   (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS real_ms, ?::bigint AS cap),"
          + " r AS (SELECT * FROM unnest(?::uuid[], ?::int4[], ?::int8[], ?::uuid[], ?::int8[], ?::int4[], ?::int4[],"
          + "   ?::int8[]) AS r(eid, part, att, lease, epoch, start, k, bytes)),"
          + " l AS (SELECT t.id, t.durable_retained, t.durable_trimmed_pos AS wm, t.frame_count,"
          + "   t.watched_until_ms > n.real_ms AS watched, n.now_ms, r.start, r.k, r.bytes,"
          + "   CASE WHEN n.now_ms > (t.last_pos >> 16) THEN n.now_ms << 16 ELSE t.last_pos + 1 END AS first_pos,"
          + "   t.durable_retained + r.k - n.cap AS excess"
          + "   FROM r JOIN tb_stream t ON t.kind = 1 AND t.execution_id = r.eid AND t.partition_key = r.part"
          + "     AND t.attempt_index = r.att CROSS JOIN n"
          + "   WHERE tb_fence_status(t, r.lease, r.epoch, n.now_ms) = 0 AND r.k <= n.cap"
          + "   AND (t.has_durable OR t.be_expires_at_ms IS NULL OR t.be_expires_at_ms > n.now_ms)"
          + "   ORDER BY r.start FOR UPDATE OF t),"
          + " d AS (DELETE FROM tb_frame f USING l WHERE l.excess > 0 AND f.stream_id = l.id AND f.mode = 0"
          + "   AND f.pos > l.wm AND f.pos <= (SELECT c.pos FROM tb_frame c WHERE c.stream_id = l.id AND c.mode = 0"
          + "     AND c.pos > l.wm ORDER BY c.pos OFFSET l.excess - 1 LIMIT 1)"
          + "   RETURNING f.stream_id, f.pos),"
          + " dd AS (SELECT d.stream_id, count(*) AS n, max(d.pos) AS cutoff FROM d GROUP BY d.stream_id),"
          + " s AS (UPDATE tb_stream t SET last_pos = l.first_pos + l.k - 1, frame_count = l.frame_count + l.k,"
          + "   total_bytes = t.total_bytes + l.bytes, durable_retained = l.durable_retained + l.k - coalesce(dd.n, 0),"
          + "   durable_trimmed_pos = coalesce(dd.cutoff, l.wm), has_durable = true, be_expires_at_ms = NULL"
          + "   FROM l LEFT JOIN dd ON dd.stream_id = l.id WHERE t.id = l.id),"
          + " i AS (INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id)"
          + "   SELECT l.id, l.first_pos + (x.o - l.start), 0, l.now_ms, x.ftype, x.payload, x.corr"
          + "   FROM unnest(?::int4[], ?::text[], ?::bytea[], ?::text[]) WITH ORDINALITY AS x(run, ftype, payload, corr, o)"
          + "   JOIN l ON l.start = x.run)"
          + " SELECT l.start, l.id, l.first_pos, l.frame_count,"
          + "   (SELECT pg_notify('" + Notifier.CHANNEL + "', CASE WHEN sum(length(w.id::text) + 1) > 7900 THEN '*'"
          + "     ELSE string_agg(w.id::text, ',') END) FROM l w WHERE w.watched HAVING count(*) > 0),"
          // the frames' timestamp and the watermark after the trim: the frames as a read returns them
          + "   l.now_ms AS ts_ms, coalesce((SELECT dd.cutoff FROM dd WHERE dd.stream_id = l.id), l.wm) AS trimmed_pos"
          + " FROM l";

  static final String START_ATTEMPT =
      "SELECT r_status, r_attempt_index, r_attempt_id, r_lease_id, r_lease_epoch,"
          + " r_lease_expires_at_ms FROM tb_start_attempt(?, ?, ?, ?, ?)";

  static final String LEASE_STEP =
      "SELECT r_status, r_lease_expires_at_ms, r_closed_reason"
          + " FROM tb_lease_step(?, ?, ?, ?, ?, ?, ?, ?)";

  static final String EXPIRE_LEASES = "SELECT tb_expire_leases(?)";

  /**
   * Frames in [lo, hi] with the stream's close markers, durable retention watermark and lifetime
   * frame count (same snapshot as the frames); one row with null frame when none.
   */
  static final String READ_RANGE =
      "SELECT s.id, s.closed_at_ms, s.closed_reason, f.pos, f.mode, f.ts_ms, f.frame_type,"
          + " f.payload, f.correlation_id, f.summary_version, f.ttl_ms, s.durable_trimmed_pos,"
          + " s.frame_count"
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
