\set s :client_id + 48
WITH n AS (SELECT tb_now_ms(NULL::bigint) AS now_ms, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS real_ms),
 f AS (SELECT t.id, t.watched_until_ms > n.real_ms AS watched, n.now_ms FROM tb_stream t, n
   WHERE t.kind = 1 AND t.execution_id = ('00000000-0000-4000-8000-0000000000' || lpad(:s::text,2,'0'))::uuid AND t.partition_key = 0 AND t.attempt_index = 0
   AND tb_fence_status(t, '11111111-1111-4111-8111-111111111111'::uuid, 1, n.now_ms) = 0 FOR SHARE OF t),
 s AS (UPDATE cal_stream_hot h SET last_pos = CASE WHEN f.now_ms > (h.last_pos >> 16) THEN f.now_ms << 16 ELSE h.last_pos + 1 END,
   frame_count = h.frame_count + 1, total_bytes = h.total_bytes + 100, durable_retained = h.durable_retained + 1
   FROM f WHERE h.id = f.id RETURNING h.id, h.last_pos, h.frame_count, f.watched, f.now_ms),
 i AS (INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id)
   SELECT s.id, s.last_pos, 0, s.now_ms, 'stdout', '\x78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878'::bytea, NULL FROM s)
 SELECT s.id, s.last_pos, s.frame_count, CASE WHEN s.watched THEN pg_notify('tributary_frames', s.id::text) END FROM s;
