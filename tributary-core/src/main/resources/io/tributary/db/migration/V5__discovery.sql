-- Discovery: list executions newest first (optionally only open, closed, or closed for one
-- reason) and named streams by path prefix, each page one index range scan of page-size rows.
--
-- An execution's listing state is its CURRENT attempt's, so the listing lives on the current
-- attempt stream's row: exec_created_at_ms (when the execution's first attempt started) and
-- is_current (true on the newest attempt of each execution only). Partial indexes over
-- "kind = 1 AND is_current" then hold exactly one row per execution, ordered by creation, and
-- a state filter is the index predicate itself, not a filter over skipped rows.
--
-- Why on tb_stream and not on tb_execution: a close updates only the stream row (already locked
-- by the close), so nothing new is locked on the close path; tb_start_attempt locks execution
-- then stream, and the trigger that clears is_current keeps that order. Appends change none of
-- the indexed columns, so their row updates stay HOT.

ALTER TABLE tb_stream
    ADD COLUMN exec_created_at_ms bigint,   -- attempt streams: the execution's creation time
    ADD COLUMN is_current         boolean;  -- attempt streams: the execution's newest attempt

-- Newest first is a backward scan; the row comparison (created, uuid, partition) < cursor is the
-- index condition that starts a page where the previous one ended.
CREATE INDEX tb_stream_exec_all_idx ON tb_stream (exec_created_at_ms, execution_id, partition_key)
    WHERE kind = 1 AND is_current;
CREATE INDEX tb_stream_exec_open_idx ON tb_stream (exec_created_at_ms, execution_id, partition_key)
    WHERE kind = 1 AND is_current AND closed_at_ms IS NULL;
CREATE INDEX tb_stream_exec_closed_idx ON tb_stream (exec_created_at_ms, execution_id, partition_key)
    WHERE kind = 1 AND is_current AND closed_at_ms IS NOT NULL;
CREATE INDEX tb_stream_exec_reason_idx ON tb_stream (closed_reason, exec_created_at_ms, execution_id, partition_key)
    WHERE kind = 1 AND is_current AND closed_at_ms IS NOT NULL;

-- Named streams by path prefix in byte order (a prefix is one contiguous range only in the C
-- collation; the unique index on ds_path uses the database's).
CREATE INDEX tb_stream_ds_path_c_idx ON tb_stream ((ds_path COLLATE "C"))
    WHERE kind = 2 AND NOT ds_soft_deleted;
