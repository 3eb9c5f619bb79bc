-- Run after V1, V2, V5, R__attempt_functions.sql and R__discovery.sql (psql -f each, in order): 16 attempt streams with a known lease, and the
-- INSERT ceiling's table (tb_frame's shape and indexes).
CREATE TABLE IF NOT EXISTS ceil_frame (LIKE tb_frame INCLUDING ALL);
SELECT count(*) FROM generate_series(0, 15) g,
  LATERAL tb_start_attempt(('00000000-0000-4000-8000-0000000000' || lpad(g::text, 2, '0'))::uuid, 0, 36000000, false, NULL);
UPDATE tb_stream SET lease_id = '11111111-1111-4111-8111-111111111111', lease_epoch = 1;
