-- Before a run.sh pass: every stream empty and every counter back at zero (same history for each script).
TRUNCATE tb_frame, ceil_frame;
UPDATE tb_stream SET last_pos = 0, frame_count = 0, total_bytes = 0, durable_retained = 0, durable_trimmed_pos = 0, has_durable = false;
UPDATE cal_stream_hot SET last_pos = 0, frame_count = 0, total_bytes = 0, durable_retained = 0, durable_trimmed_pos = 0;
VACUUM ANALYZE;
