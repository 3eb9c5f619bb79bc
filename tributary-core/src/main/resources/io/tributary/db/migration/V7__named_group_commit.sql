-- Group commit for named streams (Durable Streams appends): many appends, to one stream or many,
-- in one call, one transaction, one WAL flush and one notification.
--
-- tb_ds_append_quiet is V3's tb_ds_append without its pg_notify; tb_ds_append keeps its signature
-- and behaviour as a wrapper (quiet append, then notify), so there is one copy of the append rules.
-- tb_ds_append_batch runs the quiet append once per item, in the order given, inside the caller's
-- transaction: each item sees the producer state and Stream-Seq its predecessors left, so a
-- refused item (duplicate, gap, stale epoch, Stream-Seq conflict, closed ...) writes nothing and its
-- neighbours are unaffected, exactly as if the requests had come one after the other.

CREATE FUNCTION tb_ds_append_quiet(p_path text, p_now_ms bigint, p_media_type text, p_messages bytea[],
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
    IF NOT FOUND THEN
        r_status := 'not_found';
        RETURN NEXT;
        RETURN;
    END IF;
    IF s.ds_soft_deleted THEN
        r_status := 'gone';
        RETURN NEXT;
        RETURN;
    END IF;
    IF tb_ds_expired(s, now_ms) THEN
        r_status := tb_ds_retire(s.id, now_ms, false);
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

CREATE OR REPLACE FUNCTION tb_ds_append(p_path text, p_now_ms bigint, p_media_type text, p_messages bytea[],
                                        p_close boolean, p_stream_seq text, p_producer_id text,
                                        p_epoch bigint, p_seq bigint)
RETURNS TABLE (r_status text, r_id bigint, r_next_pos bigint, r_closed boolean,
               r_epoch bigint, r_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    SELECT * INTO r FROM tb_ds_append_quiet(p_path, p_now_ms, p_media_type, p_messages, p_close,
                                            p_stream_seq, p_producer_id, p_epoch, p_seq);
    IF r.r_status = 'appended' THEN
        PERFORM tb_notify_streams(ARRAY[r.r_id]);
    END IF;
    r_status := r.r_status;
    r_id := r.r_id;
    r_next_pos := r.r_next_pos;
    r_closed := r.r_closed;
    r_epoch := r.r_epoch;
    r_seq := r.r_seq;
    RETURN NEXT;
END
$$;

-- Item i (1-based) has the messages p_messages[o+1 .. o+p_msg_counts[i]], o being the sum of the
-- counts before it; a count of 0 is a close-only item. r_ord is the item's 0-based index.
--
-- Runs: consecutive plain items (data, no producer, no Stream-Seq, no close) for the same stream
-- and content type depend on nothing but the stream's state, so they go through the append rules
-- once, as one append of all their messages: one row lock, one insert, one row update. Each item
-- still gets its own answer (the tail right after its own messages).
CREATE FUNCTION tb_ds_append_batch(p_paths text[], p_now_ms bigint, p_media_types text[],
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
        SELECT * INTO r FROM tb_ds_append_quiet(p_paths[i], now_ms, p_media_types[i],
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
    PERFORM tb_notify_streams(appended);
END
$$;
