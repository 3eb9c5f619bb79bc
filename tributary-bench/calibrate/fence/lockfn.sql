\set s :client_id + 24
WITH n AS (SELECT tb_now_ms(NULL::bigint) AS now_ms, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS real_ms),
 s AS (SELECT t.id, t.last_pos, t.watched_until_ms > n.real_ms AS watched, n.now_ms FROM tb_stream t, n
   WHERE t.kind = 1 AND t.execution_id = ('00000000-0000-4000-8000-0000000000' || lpad(:s::text,2,'0'))::uuid AND t.partition_key = 0 AND t.attempt_index = 0
   AND tb_fence_status(t, '11111111-1111-4111-8111-111111111111'::uuid, 1, n.now_ms) = 0
   AND (t.has_durable OR t.be_expires_at_ms IS NULL OR t.be_expires_at_ms > n.now_ms)
   FOR NO KEY UPDATE OF t),
 i AS (INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id)
   SELECT s.id, greatest(s.now_ms << 16, coalesce(cal_fresh_last_pos(s.id), s.last_pos) + 1),
     0, s.now_ms, 'stdout', '\x78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878'::bytea, NULL FROM s RETURNING pos)
 SELECT s.id, i.pos, CASE WHEN s.watched THEN pg_notify('tributary_frames', s.id::text) END FROM s, i;
