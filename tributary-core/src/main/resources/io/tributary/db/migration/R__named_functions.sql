-- Server-side steps of the named-stream store (the Durable Streams protocol; the tables are V2).
-- A repeatable migration: every function here is in its final form and re-created whenever this
-- file changes (CREATE OR REPLACE; a change to a function's parameters or result columns needs a
-- DROP FUNCTION first, since OR REPLACE cannot change them).

-- Why named stream s (the row for a path; all null when there is none) may not be used at
-- p_now_ms: 'not_found', 'gone', or what retiring it left when it has expired; null when it is
-- live. Retiring re-reads the row under its lock, so a stream touched since s was read stays.
CREATE OR REPLACE FUNCTION tb_ds_unusable(s tb_stream, p_now_ms bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF s.id IS NULL THEN
        RETURN 'not_found';
    END IF;
    IF s.ds_soft_deleted THEN
        RETURN 'gone';
    END IF;
    IF tb_ds_expired(s, p_now_ms) THEN
        RETURN nullif(tb_ds_retire(s.id, p_now_ms, true), 'live');
    END IF;
    RETURN NULL;
END
$$;


CREATE OR REPLACE FUNCTION tb_ds_expired(s tb_stream, p_now_ms bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT (s.ds_expires_at_ms IS NOT NULL AND p_now_ms >= s.ds_expires_at_ms)
        OR (s.ds_ttl_seconds IS NOT NULL AND p_now_ms >= s.ds_last_access_ms + s.ds_ttl_seconds * 1000)
$$;

CREATE OR REPLACE FUNCTION tb_ds_has_forks(p_id bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM tb_stream WHERE ds_fork_parent_id = p_id)
$$;

-- Deletes a stream with its frames and producers, then walks up: a source that is soft-deleted
-- or expired and has no forks left goes too. Readers of every purged stream are woken.
CREATE OR REPLACE FUNCTION tb_ds_purge(p_id bigint, p_now_ms bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    cur bigint := p_id;
    parent tb_stream%ROWTYPE;
    purged bigint[] := '{}';
    parent_id bigint;
BEGIN
    LOOP
        DELETE FROM tb_stream WHERE id = cur AND kind = 2 RETURNING ds_fork_parent_id INTO parent_id;
        IF NOT FOUND THEN
            EXIT;
        END IF;
        DELETE FROM tb_frame WHERE stream_id = cur;
        DELETE FROM tb_ds_producer WHERE stream_id = cur;
        purged := purged || cur;
        EXIT WHEN parent_id IS NULL;
        SELECT * INTO parent FROM tb_stream WHERE id = parent_id FOR UPDATE;
        EXIT WHEN NOT FOUND;
        EXIT WHEN NOT (parent.ds_soft_deleted OR tb_ds_expired(parent, p_now_ms));
        EXIT WHEN tb_ds_has_forks(parent_id);
        cur := parent_id;
    END LOOP;
    PERFORM tb_notify_streams(purged);
END
$$;

-- Takes a stream out of service: soft-deleted when forks still read it, else purged.
-- With p_only_if_expired, does nothing unless the stream (re-read under lock) has expired.
-- Returns 'gone' (soft-deleted), 'not_found' (purged or already absent) or 'live'.
CREATE OR REPLACE FUNCTION tb_ds_retire(p_id bigint, p_now_ms bigint, p_only_if_expired boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    s tb_stream%ROWTYPE;
BEGIN
    SELECT * INTO s FROM tb_stream WHERE id = p_id AND kind = 2 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    IF s.ds_soft_deleted THEN
        RETURN 'gone';
    END IF;
    IF p_only_if_expired AND NOT tb_ds_expired(s, p_now_ms) THEN
        RETURN 'live';
    END IF;
    IF tb_ds_has_forks(p_id) THEN
        UPDATE tb_stream SET ds_soft_deleted = true WHERE id = p_id;
        PERFORM tb_notify_streams(ARRAY[p_id]);
        RETURN 'gone';
    END IF;
    PERFORM tb_ds_purge(p_id, p_now_ms);
    RETURN 'not_found';
END
$$;

-- Resolves a path for reading: 'ok' with the stream's metadata and read segments (ancestors
-- with their caps, then the stream itself capped at its tail), or 'not_found' / 'gone'.
-- p_touch refreshes a sliding TTL (reads do, HEAD does not).
CREATE OR REPLACE FUNCTION tb_ds_open(p_path text, p_now_ms bigint, p_touch boolean)
RETURNS TABLE (r_status text, r_id bigint, r_content_type text, r_json boolean, r_last_pos bigint,
               r_closed boolean, r_ttl_seconds bigint, r_expires_at_ms bigint,
               r_seg_ids bigint[], r_seg_caps bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    s tb_stream%ROWTYPE;
BEGIN
    SELECT * INTO s FROM tb_stream WHERE kind = 2 AND ds_path = p_path;
    r_status := tb_ds_unusable(s, now_ms);
    IF r_status IS NOT NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;
    IF tb_ds_expired(s, now_ms) THEN
        -- touched while we were not holding its lock: live after all, read it again
        SELECT * INTO s FROM tb_stream WHERE id = s.id;
    END IF;
    IF p_touch AND s.ds_ttl_seconds IS NOT NULL THEN
        UPDATE tb_stream SET ds_last_access_ms = now_ms WHERE id = s.id;
    END IF;
    r_status := 'ok';
    r_id := s.id;
    r_content_type := s.ds_content_type;
    r_json := s.ds_json;
    r_last_pos := s.last_pos;
    r_closed := s.closed_at_ms IS NOT NULL;
    r_ttl_seconds := s.ds_ttl_seconds;
    r_expires_at_ms := s.ds_expires_at_ms;
    r_seg_ids := coalesce(s.ds_seg_ids, '{}') || s.id;
    r_seg_caps := coalesce(s.ds_seg_caps, '{}') || s.last_pos;
    RETURN NEXT;
END
$$;

-- The first visible frame at or after p_pos across read segments.
CREATE OR REPLACE FUNCTION tb_ds_frame_at(p_seg_ids bigint[], p_seg_caps bigint[], p_pos bigint)
RETURNS TABLE (r_pos bigint, r_payload bytea) LANGUAGE sql STABLE AS $$
    SELECT f.pos, f.payload
    FROM unnest(p_seg_ids, p_seg_caps) AS seg(sid, cap)
    CROSS JOIN LATERAL (SELECT pos, payload FROM tb_frame
                        WHERE stream_id = seg.sid AND pos >= p_pos AND pos <= seg.cap
                        ORDER BY pos LIMIT 1) f
    ORDER BY f.pos LIMIT 1
$$;

-- Appends p_messages (one frame each, none empty) after position p_after of stream p_id.
-- Returns the new tail.
CREATE OR REPLACE FUNCTION tb_ds_insert_frames(p_id bigint, p_after bigint, p_now_ms bigint, p_messages bytea[])
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
BEGIN
    IF coalesce(array_length(p_messages, 1), 0) = 0 THEN
        RETURN p_after;
    END IF;
    INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, payload)
    SELECT p_id, p_after + sum(octet_length(m)) OVER (ORDER BY ord), 0, p_now_ms, m
    FROM unnest(p_messages) WITH ORDINALITY AS u(m, ord);
    SELECT sum(octet_length(m)) INTO added FROM unnest(p_messages) AS u(m);
    RETURN p_after + added;
END
$$;

-- Named stream s (all null when there is none) as it is after retiring it if it has expired:
-- all null when that purged it, else the row read again (soft-deleted, or touched meanwhile).
CREATE OR REPLACE FUNCTION tb_ds_unexpired(s tb_stream, p_now_ms bigint) RETURNS tb_stream
LANGUAGE plpgsql AS $$
BEGIN
    IF s.id IS NOT NULL AND NOT s.ds_soft_deleted AND tb_ds_expired(s, p_now_ms) THEN
        IF tb_ds_retire(s.id, p_now_ms, true) = 'not_found' THEN
            RETURN NULL;
        END IF;
        SELECT * INTO s FROM tb_stream WHERE id = s.id;
    END IF;
    RETURN s;
END
$$;

-- PUT: creates a stream (optionally as a fork, with initial messages, optionally closed), or
-- reports an existing one as 'exists' (same configuration) or 'conflict'.
-- A null p_media_type (fork without Content-Type) inherits the source's; null TTL and expiry on a
-- fork inherit the source's. Other outcomes: 'source_not_found', 'source_gone',
-- 'content_type_mismatch', 'bad_fork_offset' (with r_detail).
CREATE OR REPLACE FUNCTION tb_ds_create(p_path text, p_now_ms bigint, p_content_type text, p_media_type text,
                             p_json boolean, p_ttl_seconds bigint, p_expires_at_ms bigint,
                             p_closed boolean, p_messages bytea[], p_fork_path text,
                             p_fork_offset bigint, p_fork_sub_offset bigint)
RETURNS TABLE (r_status text, r_id bigint, r_content_type text, r_json boolean, r_last_pos bigint,
               r_closed boolean, r_ttl_seconds bigint, r_expires_at_ms bigint, r_detail text)
LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    s tb_stream%ROWTYPE;
    src tb_stream%ROWTYPE;
    sub bigint := coalesce(p_fork_sub_offset, 0);
    ct text := p_content_type;
    media text := p_media_type;
    is_json boolean := p_json;
    ttl bigint := p_ttl_seconds;
    expires bigint := p_expires_at_ms;
    inherit_expiry boolean := p_fork_path IS NOT NULL AND p_ttl_seconds IS NULL AND p_expires_at_ms IS NULL;
    src_ids bigint[];
    src_caps bigint[];
    anchor bigint;
    target bigint;
    fork_pos bigint;
    frame_pos bigint;
    frame_payload bytea;
    prefix bytea;
    new_id bigint;
    last bigint;
    attempt integer := 0;
BEGIN
    LOOP
        attempt := attempt + 1;
        SELECT * INTO s FROM tb_stream WHERE kind = 2 AND ds_path = p_path FOR UPDATE;
        s := tb_ds_unexpired(s, now_ms);
        IF s.id IS NOT NULL THEN
            r_id := s.id;
            r_content_type := s.ds_content_type;
            r_json := s.ds_json;
            r_last_pos := s.last_pos;
            r_closed := s.closed_at_ms IS NOT NULL;
            r_ttl_seconds := s.ds_ttl_seconds;
            r_expires_at_ms := s.ds_expires_at_ms;
            IF s.ds_soft_deleted THEN
                r_status := 'conflict';
                r_detail := 'a deleted stream at this URL is still referenced by forks';
            ELSIF (media IS NOT NULL AND media IS DISTINCT FROM s.ds_media_type)
               OR (NOT inherit_expiry AND (ttl IS DISTINCT FROM s.ds_ttl_seconds
                                           OR expires IS DISTINCT FROM s.ds_expires_at_ms))
               OR p_closed IS DISTINCT FROM (s.closed_at_ms IS NOT NULL)
               OR p_fork_path IS DISTINCT FROM s.ds_fork_from_path
               OR p_fork_offset IS DISTINCT FROM s.ds_fork_offset_req
               OR (p_fork_path IS NOT NULL AND sub IS DISTINCT FROM coalesce(s.ds_fork_sub_offset, 0)) THEN
                r_status := 'conflict';
                r_detail := 'a stream with a different configuration exists at this URL';
            ELSE
                r_status := 'exists';
            END IF;
            RETURN NEXT;
            RETURN;
        END IF;

        fork_pos := NULL;
        prefix := NULL;
        IF p_fork_path IS NOT NULL THEN
            SELECT * INTO src FROM tb_stream WHERE kind = 2 AND ds_path = p_fork_path FOR SHARE;
            src := tb_ds_unexpired(src, now_ms);
            IF src.id IS NULL THEN
                r_status := 'source_not_found';
                r_detail := 'the stream named by Stream-Forked-From does not exist';
                RETURN NEXT;
                RETURN;
            END IF;
            IF src.ds_soft_deleted THEN
                r_status := 'source_gone';
                r_detail := 'the stream named by Stream-Forked-From has been deleted';
                RETURN NEXT;
                RETURN;
            END IF;
            IF media IS NOT NULL AND media IS DISTINCT FROM src.ds_media_type THEN
                r_status := 'content_type_mismatch';
                r_detail := 'a fork must keep its source''s content type (' || src.ds_content_type || ')';
                RETURN NEXT;
                RETURN;
            END IF;
            IF media IS NULL THEN
                ct := src.ds_content_type;
                media := src.ds_media_type;
            END IF;
            is_json := src.ds_json;
            IF inherit_expiry THEN
                ttl := src.ds_ttl_seconds;
                expires := src.ds_expires_at_ms;
            END IF;
            src_ids := coalesce(src.ds_seg_ids, '{}') || src.id;
            src_caps := coalesce(src.ds_seg_caps, '{}') || src.last_pos;
            anchor := coalesce(p_fork_offset, src.last_pos);
            IF anchor > src.last_pos THEN
                r_status := 'bad_fork_offset';
                r_detail := 'Stream-Fork-Offset is beyond the source''s tail';
                RETURN NEXT;
                RETURN;
            END IF;
            IF is_json THEN
                IF anchor > 0 AND NOT EXISTS (SELECT 1 FROM tb_ds_frame_at(src_ids, src_caps, anchor)
                                              WHERE r_pos = anchor) THEN
                    r_status := 'bad_fork_offset';
                    r_detail := 'Stream-Fork-Offset is not a message boundary of the source';
                    RETURN NEXT;
                    RETURN;
                END IF;
                target := anchor;
                IF sub > 0 THEN
                    SELECT f.pos INTO target
                    FROM unnest(src_ids, src_caps) AS seg(sid, cap)
                    CROSS JOIN LATERAL (SELECT pos FROM tb_frame
                                        WHERE stream_id = seg.sid AND pos > anchor AND pos <= seg.cap
                                        ORDER BY pos LIMIT sub) f
                    ORDER BY f.pos OFFSET sub - 1 LIMIT 1;
                    IF NOT FOUND THEN
                        r_status := 'bad_fork_offset';
                        r_detail := 'Stream-Fork-Sub-Offset is past the messages after the fork offset';
                        RETURN NEXT;
                        RETURN;
                    END IF;
                END IF;
                fork_pos := target;
            ELSE
                target := anchor + sub;
                IF target > src.last_pos THEN
                    r_status := 'bad_fork_offset';
                    r_detail := 'Stream-Fork-Sub-Offset is past the data after the fork offset';
                    RETURN NEXT;
                    RETURN;
                END IF;
                fork_pos := target;
                IF target > 0 THEN
                    SELECT r_pos, r_payload INTO frame_pos, frame_payload
                    FROM tb_ds_frame_at(src_ids, src_caps, target);
                    IF FOUND AND frame_pos > target THEN
                        fork_pos := frame_pos - octet_length(frame_payload);
                        prefix := substring(frame_payload FROM 1 FOR (target - fork_pos)::integer);
                    END IF;
                END IF;
            END IF;
        END IF;

        INSERT INTO tb_stream (kind, created_at_ms, last_pos, ds_path, ds_content_type, ds_media_type,
                               ds_json, ds_ttl_seconds, ds_expires_at_ms, ds_last_access_ms,
                               ds_fork_parent_id, ds_fork_pos, ds_fork_from_path, ds_fork_offset_req,
                               ds_fork_sub_offset, ds_seg_ids, ds_seg_caps)
        VALUES (2, now_ms, coalesce(fork_pos, 0), p_path, ct, media, is_json, ttl, expires, now_ms,
                src.id, fork_pos, p_fork_path, p_fork_offset,
                CASE WHEN p_fork_path IS NULL THEN NULL ELSE sub END,
                src_ids,
                CASE WHEN fork_pos IS NULL THEN NULL
                     ELSE ARRAY(SELECT least(c, fork_pos) FROM unnest(src_caps) WITH ORDINALITY AS u(c, o)
                                ORDER BY o) END)
        ON CONFLICT (ds_path) WHERE kind = 2 DO NOTHING
        RETURNING id INTO new_id;
        IF new_id IS NULL THEN
            -- another creator won the race for this URL; compare against its stream
            IF attempt >= 3 THEN
                RAISE EXCEPTION 'could not create named stream % after % attempts', p_path, attempt;
            END IF;
            CONTINUE;
        END IF;

        last := coalesce(fork_pos, 0);
        IF prefix IS NOT NULL THEN
            last := tb_ds_insert_frames(new_id, last, now_ms, ARRAY[prefix]);
        END IF;
        last := tb_ds_insert_frames(new_id, last, now_ms, p_messages);
        UPDATE tb_stream
        SET last_pos = last,
            frame_count = (prefix IS NOT NULL)::integer + coalesce(array_length(p_messages, 1), 0),
            total_bytes = last - coalesce(fork_pos, 0),
            closed_at_ms = CASE WHEN p_closed THEN now_ms END
        WHERE id = new_id;
        r_status := 'created';
        r_id := new_id;
        r_content_type := ct;
        r_json := is_json;
        r_last_pos := last;
        r_closed := p_closed;
        r_ttl_seconds := ttl;
        r_expires_at_ms := expires;
        RETURN NEXT;
        RETURN;
    END LOOP;
END
$$;

-- POST: appends messages and/or closes, with idempotent-producer and Stream-Seq checks, atomically
-- under the stream's row lock. Outcomes: 'appended', 'duplicate' (producer retry; nothing
-- written), 'already_closed' (close-only on a closed stream), 'not_found', 'gone', 'closed',
-- 'content_type_mismatch', 'stream_seq_conflict', 'stale_epoch' (r_epoch = current),
-- 'epoch_seq_not_zero', 'sequence_gap' (r_seq = expected). Empty p_messages means close-only.
-- Notifies nobody: tb_ds_append_batch notifies once for its whole batch.
CREATE OR REPLACE FUNCTION tb_ds_append_item(p_path text, p_now_ms bigint, p_media_type text, p_messages bytea[],
                             p_close boolean, p_stream_seq text, p_producer_id text,
                             p_epoch bigint, p_seq bigint)
RETURNS TABLE (r_status text, r_id bigint, r_next_pos bigint, r_closed boolean,
               r_epoch bigint, r_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    s tb_stream%ROWTYPE;
    p tb_ds_producer%ROWTYPE;
    has_messages boolean := coalesce(array_length(p_messages, 1), 0) > 0;
    last bigint;
BEGIN
    SELECT * INTO s FROM tb_stream WHERE kind = 2 AND ds_path = p_path FOR UPDATE;
    r_status := tb_ds_unusable(s, now_ms);
    IF r_status IS NOT NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;
    r_id := s.id;
    r_next_pos := s.last_pos;
    r_closed := s.closed_at_ms IS NOT NULL;

    IF p_producer_id IS NOT NULL THEN
        SELECT * INTO p FROM tb_ds_producer WHERE stream_id = s.id AND producer_id = p_producer_id;
        IF FOUND AND p_epoch < p.epoch THEN
            r_status := 'stale_epoch';
            r_epoch := p.epoch;
            RETURN NEXT;
            RETURN;
        END IF;
        IF FOUND AND p_epoch = p.epoch AND p_seq <= p.last_seq THEN
            IF s.ds_ttl_seconds IS NOT NULL THEN
                UPDATE tb_stream SET ds_last_access_ms = now_ms WHERE id = s.id;
            END IF;
            r_status := 'duplicate';
            r_epoch := p.epoch;
            r_seq := p.last_seq;
            RETURN NEXT;
            RETURN;
        END IF;
    END IF;

    IF s.closed_at_ms IS NOT NULL THEN
        IF NOT has_messages AND p_close AND p_producer_id IS NULL THEN
            r_status := 'already_closed';
        ELSE
            r_status := 'closed';
        END IF;
        RETURN NEXT;
        RETURN;
    END IF;

    IF p_producer_id IS NOT NULL THEN
        IF p.stream_id IS NOT NULL AND p_epoch > p.epoch AND p_seq <> 0 THEN
            r_status := 'epoch_seq_not_zero';
            r_epoch := p.epoch;
            RETURN NEXT;
            RETURN;
        END IF;
        IF (p.stream_id IS NULL AND p_seq <> 0)
           OR (p.stream_id IS NOT NULL AND p_epoch = p.epoch AND p_seq <> p.last_seq + 1) THEN
            r_status := 'sequence_gap';
            r_seq := CASE WHEN p.stream_id IS NULL THEN 0 ELSE p.last_seq + 1 END;
            RETURN NEXT;
            RETURN;
        END IF;
    END IF;

    IF has_messages AND p_media_type IS DISTINCT FROM s.ds_media_type THEN
        r_status := 'content_type_mismatch';
        RETURN NEXT;
        RETURN;
    END IF;
    IF p_stream_seq IS NOT NULL AND s.ds_last_stream_seq IS NOT NULL
       AND (p_stream_seq COLLATE "C") <= s.ds_last_stream_seq THEN
        r_status := 'stream_seq_conflict';
        RETURN NEXT;
        RETURN;
    END IF;

    last := tb_ds_insert_frames(s.id, s.last_pos, now_ms, p_messages);
    UPDATE tb_stream
    SET last_pos = last,
        frame_count = frame_count + coalesce(array_length(p_messages, 1), 0),
        total_bytes = total_bytes + (last - s.last_pos),
        ds_last_access_ms = now_ms,
        ds_last_stream_seq = coalesce(p_stream_seq, ds_last_stream_seq),
        closed_at_ms = CASE WHEN p_close THEN now_ms ELSE closed_at_ms END,
        ds_closed_by_id = CASE WHEN p_close THEN p_producer_id END,
        ds_closed_by_epoch = CASE WHEN p_close THEN p_epoch END,
        ds_closed_by_seq = CASE WHEN p_close THEN p_seq END
    WHERE id = s.id;
    IF p_producer_id IS NOT NULL THEN
        INSERT INTO tb_ds_producer (stream_id, producer_id, epoch, last_seq, updated_at_ms)
        VALUES (s.id, p_producer_id, p_epoch, p_seq, now_ms)
        ON CONFLICT (stream_id, producer_id)
        DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq,
                      updated_at_ms = excluded.updated_at_ms;
    END IF;
    r_status := 'appended';
    r_next_pos := last;
    r_closed := p_close;
    r_epoch := p_epoch;
    r_seq := p_seq;
    RETURN NEXT;
END
$$;

-- Group commit (Durable Streams appends): many appends, to one stream or many, in one call, one
-- transaction, one WAL flush and at most one notification: for the appended streams that carry a
-- live watch mark (V1 has the argument why that loses no wake-up), read after their rows were
-- locked and updated here. tb_ds_append_item runs once per item, in the
-- order given: each item sees the producer state and Stream-Seq its predecessors left, so a
-- refused item (duplicate, gap, stale epoch, Stream-Seq conflict, closed ...) writes nothing and
-- its neighbours are unaffected, exactly as if the requests had come one after the other.
--
-- Item i (1-based) has the messages p_messages[o+1 .. o+p_msg_counts[i]], o being the sum of the
-- counts before it; a count of 0 is a close-only item. r_ord is the item's 0-based index.
--
-- Runs: consecutive plain items (data, no producer, no Stream-Seq, no close) for the same stream
-- and content type depend on nothing but the stream's state, so they go through the append rules
-- once, as one append of all their messages: one row lock, one insert, one row update. Each item
-- still gets its own answer (the tail right after its own messages).
CREATE OR REPLACE FUNCTION tb_ds_append_batch(p_paths text[], p_now_ms bigint, p_media_types text[],
                                   p_msg_counts integer[], p_messages bytea[], p_closes boolean[],
                                   p_stream_seqs text[], p_producer_ids text[], p_epochs bigint[],
                                   p_seqs bigint[])
RETURNS TABLE (r_ord integer, r_status text, r_id bigint, r_next_pos bigint, r_closed boolean,
               r_epoch bigint, r_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    n integer := coalesce(array_length(p_paths, 1), 0);
    o integer := 0;
    i integer := 1;
    j integer;
    total integer;
    pos bigint;
    r record;
    appended bigint[] := '{}';
BEGIN
    WHILE i <= n LOOP
        j := i;
        total := p_msg_counts[i];
        IF p_producer_ids[i] IS NULL AND p_stream_seqs[i] IS NULL AND NOT p_closes[i] AND total > 0 THEN
            WHILE j < n AND p_producer_ids[j + 1] IS NULL AND p_stream_seqs[j + 1] IS NULL
                  AND NOT p_closes[j + 1] AND p_msg_counts[j + 1] > 0
                  AND p_paths[j + 1] = p_paths[i]
                  AND p_media_types[j + 1] IS NOT DISTINCT FROM p_media_types[i] LOOP
                j := j + 1;
                total := total + p_msg_counts[j];
            END LOOP;
        END IF;
        SELECT * INTO r FROM tb_ds_append_item(p_paths[i], now_ms, p_media_types[i],
                                                CASE WHEN total = 0 THEN '{}'::bytea[]
                                                     ELSE p_messages[o + 1 : o + total] END,
                                                p_closes[i], p_stream_seqs[i], p_producer_ids[i],
                                                p_epochs[i], p_seqs[i]);
        IF r.r_status = 'appended' AND NOT (r.r_id = ANY (appended)) THEN
            appended := appended || r.r_id;
        END IF;
        pos := r.r_next_pos;
        IF r.r_status = 'appended' AND j > i THEN
            -- the run's start: its tail minus all its bytes; each item then ends after its own
            FOR m IN o + 1 .. o + total LOOP
                pos := pos - octet_length(p_messages[m]);
            END LOOP;
        END IF;
        FOR k IN i .. j LOOP
            IF r.r_status = 'appended' AND j > i THEN
                FOR m IN o + 1 .. o + p_msg_counts[k] LOOP
                    pos := pos + octet_length(p_messages[m]);
                END LOOP;
            END IF;
            o := o + p_msg_counts[k];
            r_ord := k - 1;
            r_status := r.r_status;
            r_id := r.r_id;
            r_next_pos := pos;
            r_closed := r.r_closed;
            r_epoch := r.r_epoch;
            r_seq := r.r_seq;
            RETURN NEXT;
        END LOOP;
        i := j + 1;
    END LOOP;
    IF cardinality(appended) > 0 THEN
        PERFORM tb_notify_streams(ARRAY(
            SELECT id FROM tb_stream WHERE id = ANY (appended)
              AND watched_until_ms > (extract(epoch FROM clock_timestamp()) * 1000)::bigint));
    END IF;
END
$$;


-- DELETE: 'deleted' (purged, or soft-deleted while forks read it), 'not_found' or 'gone'.
CREATE OR REPLACE FUNCTION tb_ds_delete(p_path text, p_now_ms bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    s tb_stream%ROWTYPE;
    unusable text;
BEGIN
    SELECT * INTO s FROM tb_stream WHERE kind = 2 AND ds_path = p_path FOR UPDATE;
    unusable := tb_ds_unusable(s, now_ms);
    IF unusable IS NOT NULL THEN
        RETURN unusable;
    END IF;
    PERFORM tb_ds_retire(s.id, now_ms, false);
    RETURN 'deleted';
END
$$;

-- Retires up to p_limit expired named streams nobody has touched since they expired.
CREATE OR REPLACE FUNCTION tb_ds_sweep(p_now_ms bigint, p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    sid bigint;
    n integer := 0;
BEGIN
    FOR sid IN SELECT id FROM tb_stream s
               WHERE kind = 2 AND (ds_ttl_seconds IS NOT NULL OR ds_expires_at_ms IS NOT NULL)
                 AND NOT ds_soft_deleted AND tb_ds_expired(s, now_ms)
               ORDER BY id LIMIT p_limit LOOP
        IF tb_ds_retire(sid, now_ms, true) <> 'live' THEN
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END
$$;
