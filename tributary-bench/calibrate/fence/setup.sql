-- Loaded by start.sh after V1, V2, V5, R__attempt_functions.sql, R__discovery.sql. 64 attempt
-- streams with a known lease (each script uses its own 8: stream = client id + its offset), the
-- INSERT anchor's table, and what the candidate statements need.
CREATE TABLE IF NOT EXISTS ceil_frame (LIKE tb_frame INCLUDING ALL);
SELECT count(*) FROM generate_series(0, 63) g,
  LATERAL tb_start_attempt(('00000000-0000-4000-8000-0000000000' || lpad(g::text, 2, '0'))::uuid, 0, 36000000, false, NULL);
UPDATE tb_stream SET lease_id = '11111111-1111-4111-8111-111111111111', lease_epoch = 1;
-- (c) the stream's newest position as of now, not as of the calling statement's snapshot: a
-- VOLATILE PL/pgSQL function runs its query with a fresh snapshot, i.e. after the caller's row
-- lock was granted, so it sees the frame of the append that held the lock before.
CREATE OR REPLACE FUNCTION cal_fresh_last_pos(p_id bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN (SELECT max(pos) FROM tb_frame WHERE stream_id = p_id);
END $$;
-- (d) the narrow hot-state row: the counters an append moves, apart from the wide stream row
CREATE TABLE cal_stream_hot (id bigint PRIMARY KEY, last_pos bigint NOT NULL DEFAULT 0,
  frame_count bigint NOT NULL DEFAULT 0, total_bytes bigint NOT NULL DEFAULT 0,
  durable_retained bigint NOT NULL DEFAULT 0, durable_trimmed_pos bigint NOT NULL DEFAULT 0)
  WITH (fillfactor = 50);
INSERT INTO cal_stream_hot (id) SELECT id FROM tb_stream;
-- (e) the trim as a function the row update calls only at the cap (below it, no part of the trim is
-- in the statement's plan): deletes the oldest durable frame above the watermark, returns its
-- position (null: none). VOLATILE: its query runs with a fresh snapshot, after the caller's row lock.
CREATE OR REPLACE FUNCTION cal_trim_oldest_durable(p_id bigint, p_wm bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    cut bigint;
BEGIN
    DELETE FROM tb_frame WHERE stream_id = p_id AND mode = 0
      AND pos = (SELECT f.pos FROM tb_frame f WHERE f.stream_id = p_id AND f.mode = 0 AND f.pos > p_wm ORDER BY f.pos LIMIT 1)
    RETURNING pos INTO cut;
    RETURN cut;
END $$;
-- (b) APPEND_ONE as it was before this calibration also called tb_now_ms declared STABLE, which
-- the planner does not inline (its body is volatile): one.sql calls this copy of that declaration.
CREATE OR REPLACE FUNCTION cal_now_ms_stable(p_now_ms bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(p_now_ms, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
$$;
