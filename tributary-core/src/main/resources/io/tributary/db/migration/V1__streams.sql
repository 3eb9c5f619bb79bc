-- Tributary schema, version 1: streams as first-class rows, frames, summaries, executions.
--
-- A stream is one row of tb_stream. kind 1 is an attempt stream (FlowFabric semantics: entry ids
-- <ms>-<seq>, lease fencing, modes); kind 2 is a named stream (Durable Streams protocol), whose
-- own columns live in later migrations. Attempt lease columns sit on the stream row on purpose:
-- an append locks exactly one row, checks the fence and bumps the counters there.
--
-- Frame positions (tb_frame.pos) strictly increase per stream. For attempt streams a position
-- packs the entry id as ms << 16 | seq, so one btree key orders ids and "the whole millisecond"
-- is a plain range.
--
-- No hash partitioning: every query is keyed by stream id on a btree, so per-stream cost does
-- not depend on how many streams share the table (measured in README "How it works").

-- An execution id is {fp:N}:<uuid>: the same uuid under another partition is another execution.
CREATE TABLE tb_execution (
    execution_id        uuid    NOT NULL,
    partition_key       integer NOT NULL,
    next_attempt_index  bigint  NOT NULL DEFAULT 0,
    lease_epoch         bigint  NOT NULL DEFAULT 0,
    current_stream_id   bigint,
    PRIMARY KEY (execution_id, partition_key)
);

CREATE TABLE tb_stream (
    id                  bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                smallint NOT NULL,
    created_at_ms       bigint   NOT NULL,
    closed_at_ms        bigint,
    closed_reason       text,
    last_pos            bigint   NOT NULL DEFAULT 0,
    frame_count         bigint   NOT NULL DEFAULT 0,   -- lifetime appends, never lowered by trims
    total_bytes         bigint   NOT NULL DEFAULT 0,   -- lifetime payload bytes
    -- attempt streams (kind 1)
    execution_id        uuid,
    partition_key       integer,
    attempt_index       bigint,
    attempt_id          uuid,
    lease_id            uuid,
    lease_epoch         bigint,
    lease_ttl_ms        bigint,
    lease_expires_at_ms bigint,
    durable_retained    bigint   NOT NULL DEFAULT 0,
    summary_retained    bigint   NOT NULL DEFAULT 0,
    be_retained         bigint   NOT NULL DEFAULT 0,
    has_durable         boolean  NOT NULL DEFAULT false,
    be_expires_at_ms    bigint,                        -- best-effort-only streams vanish after 2 x ttl
    ema_rate_hz         double precision,
    last_be_append_ms   bigint,
    maxlen_applied_last bigint,
    -- retention watermark: the newest position a durable trim deleted. A reader resuming before it
    -- would silently miss frames (the Durable Streams view answers 410 with the earliest offset
    -- still complete). Only durable trims move it: summary frames are superseded by the summary
    -- document and best-effort frames are live-only.
    durable_trimmed_pos bigint   NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX tb_stream_attempt_uq ON tb_stream (execution_id, partition_key, attempt_index) WHERE kind = 1;

CREATE TABLE tb_frame (
    stream_id       bigint   NOT NULL,
    pos             bigint   NOT NULL,
    mode            smallint NOT NULL,   -- 0 durable, 1 summary, 2 best_effort
    ts_ms           bigint   NOT NULL,
    frame_type      text,
    payload         bytea    NOT NULL,
    correlation_id  text,
    summary_version bigint,
    ttl_ms          bigint,
    PRIMARY KEY (stream_id, pos)
);

-- Trims of summary and best-effort frames find their oldest rows here; durable frames (the bulk)
-- pay for no second index.
CREATE INDEX tb_frame_nondurable_idx ON tb_frame (stream_id, mode, pos) WHERE mode <> 0;

CREATE TABLE tb_summary (
    stream_id        bigint PRIMARY KEY,
    document         jsonb  NOT NULL,
    version          bigint NOT NULL,
    first_applied_ms bigint NOT NULL,
    last_updated_ms  bigint NOT NULL
);

-- Idempotent appends to attempt streams. A writer may name an append with a key (unique per
-- attempt stream, client-chosen); a retry of a named append that already committed answers the
-- first outcome and writes nothing; the same key with another append (fingerprint: mode, frame
-- type, correlation id, payload, hashed in Java) is a conflict.
--
-- Keys live in their own table, not on tb_frame: frames are trimmed by retention (64 summary
-- frames, K best-effort frames), keys must outlive that. A key is remembered while its append is
-- among the stream's newest p_key_window appends (counted by the stream's lifetime frame_count,
-- unnamed appends included); keys that left the window are deleted when the stream next records
-- a key, so a stream holds about p_key_window keys at most.
CREATE TABLE tb_append_key (
    stream_id       bigint NOT NULL,
    key             text   NOT NULL,
    pos             bigint NOT NULL,   -- the frame's position (its id)
    fingerprint     bytea  NOT NULL,
    frame_count     bigint NOT NULL,   -- the stream's lifetime count after the append: its outcome and its age
    summary_version bigint,
    PRIMARY KEY (stream_id, key)
);

CREATE INDEX tb_append_key_age_idx ON tb_append_key (stream_id, frame_count);

-- Watch marks. A notification makes its commit take a cluster-wide lock until the commit's WAL flush is
-- done, so notifying commits serialise (pg-reference: 8 clients fell from 21 119 to 7 021
-- inserts/s with a notification each). Appends therefore wake only the streams somebody waits on: a
-- process that parks a reader on an attempt stream first marks the stream row
-- (watched_until_ms, the database's real clock plus a lease it renews while readers stay
-- parked), then queries, then parks. Race-free: the mark is written on the stream row an append
-- locks, so an append either sees the mark (its row lock comes after the mark's commit; READ
-- COMMITTED re-reads the newest row version when it locks) and notifies, or commits before the
-- mark does, and then the reader's query, which runs after the mark committed, sees its frame.
-- A mark outlives its process by at most the lease; an expired mark only costs latency (the
-- re-checker still wakes readers), never data. Closes, reclaims and attempt starts still
-- always notify.
ALTER TABLE tb_stream ADD COLUMN watched_until_ms bigint;
