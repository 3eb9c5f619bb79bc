\set s :client_id
WITH n AS (SELECT coalesce(NULL::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint) AS now_ms, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS real_ms, 10000::bigint AS cap),
 s AS (UPDATE tb_stream t SET last_pos = CASE WHEN n.now_ms > (t.last_pos >> 16) THEN n.now_ms << 16 ELSE t.last_pos + 1 END,
   frame_count = t.frame_count + 1, total_bytes = t.total_bytes + 100,
   durable_trimmed_pos = CASE WHEN t.durable_retained >= n.cap THEN coalesce(cal_trim_oldest_durable(t.id, t.durable_trimmed_pos), t.durable_trimmed_pos) ELSE t.durable_trimmed_pos END,
   durable_retained = CASE WHEN t.durable_retained >= n.cap THEN n.cap ELSE t.durable_retained + 1 END,
   has_durable = true, be_expires_at_ms = NULL FROM n
   WHERE t.kind = 1 AND t.execution_id = ('00000000-0000-4000-8000-0000000000' || lpad(:s::text,2,'0'))::uuid AND t.partition_key = 0 AND t.attempt_index = 0
   AND tb_fence_status(t, '11111111-1111-4111-8111-111111111111'::uuid, 1, n.now_ms) = 0 AND t.durable_retained <= n.cap
   AND (t.has_durable OR t.be_expires_at_ms IS NULL OR t.be_expires_at_ms > n.now_ms)
   RETURNING t.id, t.last_pos, t.frame_count, t.watched_until_ms > n.real_ms AS watched, n.now_ms),
 i AS (INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id)
   SELECT s.id, s.last_pos, 0, s.now_ms, 'stdout', '\x78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878'::bytea, NULL FROM s)
 SELECT s.id, s.last_pos, s.frame_count, CASE WHEN s.watched THEN pg_notify('tributary_frames', s.id::text) END FROM s;
