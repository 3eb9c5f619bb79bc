\set s :client_id + 32
BEGIN;
SELECT t.id FROM tb_stream t WHERE t.kind = 1 AND t.execution_id = ('00000000-0000-4000-8000-0000000000' || lpad(:s::text,2,'0'))::uuid AND t.partition_key = 0 AND t.attempt_index = 0
   AND tb_fence_status(t, '11111111-1111-4111-8111-111111111111'::uuid, 1, tb_now_ms(NULL)) = 0 FOR NO KEY UPDATE OF t;
INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id)
   SELECT t.id, greatest(tb_now_ms(NULL) << 16, coalesce((SELECT max(f.pos) FROM tb_frame f WHERE f.stream_id = t.id), t.last_pos) + 1),
     0, tb_now_ms(NULL), 'stdout', '\x78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878'::bytea, NULL FROM tb_stream t
   WHERE t.kind = 1 AND t.execution_id = ('00000000-0000-4000-8000-0000000000' || lpad(:s::text,2,'0'))::uuid AND t.partition_key = 0 AND t.attempt_index = 0;
COMMIT;
