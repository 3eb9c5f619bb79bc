-- Named streams (the Durable Streams protocol): a named stream is a tb_stream row of kind 2 whose
-- frames live in tb_frame like any other stream's.
--
-- Positions. A named stream's frame positions are byte end offsets: pos = bytes stored before the
-- frame plus its own length. So a frame's start is pos - octet_length(payload), the tail is
-- last_pos, and a reader can turn any position into "the bytes after it". A JSON stream stores
-- one frame per message (canonical compact JSON), so message boundaries are frame boundaries.
--
-- Forks. A fork reads as a prefix of its source followed by its own frames, in the same position
-- space. Nothing is copied: ds_fork_pos is where the inherited prefix ends, and ds_seg_ids /
-- ds_seg_caps list the ancestors (root first) with the highest position visible from each. Both
-- are fixed at creation, so a read is one query over (ancestor, cap) segments plus the fork's own
-- frames. Only a fork at a position inside a frame copies data: the part of that one frame before
-- the fork point becomes the fork's first own frame ("materialised prefix").
--
-- Lifecycle. Deleting (or expiring) a stream that still has forks only marks it soft-deleted: its
-- URL answers 410 and cannot be reused, but its frames stay for the forks. A stream is purged when
-- it has no forks left, and purging a fork re-checks its source, so releases cascade up a chain.
-- Expiry is evaluated on access (and by tb_ds_sweep), always with the clock the caller passes.

ALTER TABLE tb_stream
    ADD COLUMN ds_path              text,
    ADD COLUMN ds_content_type      text,       -- as given at creation, returned on reads
    ADD COLUMN ds_media_type        text,       -- lower-cased, parameters stripped; compared on append
    ADD COLUMN ds_json              boolean,    -- message mode (application/json)
    ADD COLUMN ds_ttl_seconds       bigint,     -- sliding idle window, refreshed by reads and writes
    ADD COLUMN ds_expires_at_ms     bigint,     -- absolute expiry, never extended
    ADD COLUMN ds_last_access_ms    bigint,
    ADD COLUMN ds_last_stream_seq   text COLLATE "C",   -- byte-wise order, as the protocol requires
    ADD COLUMN ds_closed_by_id      text,       -- producer tuple that closed the stream, if any
    ADD COLUMN ds_closed_by_epoch   bigint,
    ADD COLUMN ds_closed_by_seq     bigint,
    ADD COLUMN ds_fork_parent_id    bigint,
    ADD COLUMN ds_fork_pos          bigint,
    ADD COLUMN ds_fork_from_path    text,       -- the creation request, for idempotent re-creates
    ADD COLUMN ds_fork_offset_req   bigint,     -- null: "the source's tail at creation"
    ADD COLUMN ds_fork_sub_offset   bigint,
    ADD COLUMN ds_seg_ids           bigint[],
    ADD COLUMN ds_seg_caps          bigint[],
    ADD COLUMN ds_soft_deleted      boolean NOT NULL DEFAULT false;

-- One row per URL: live, soft-deleted, or expired but not yet collected.
CREATE UNIQUE INDEX tb_stream_ds_path_uq ON tb_stream (ds_path) WHERE kind = 2;
CREATE INDEX tb_stream_ds_fork_parent_idx ON tb_stream (ds_fork_parent_id)
    WHERE ds_fork_parent_id IS NOT NULL;
CREATE INDEX tb_stream_ds_expiring_idx ON tb_stream (id)
    WHERE kind = 2 AND (ds_ttl_seconds IS NOT NULL OR ds_expires_at_ms IS NOT NULL);

-- Idempotent-producer state per (stream, producer); a fork starts with none.
CREATE TABLE tb_ds_producer (
    stream_id     bigint NOT NULL,
    producer_id   text   NOT NULL,
    epoch         bigint NOT NULL,
    last_seq      bigint NOT NULL,
    updated_at_ms bigint NOT NULL,
    PRIMARY KEY (stream_id, producer_id)
);
