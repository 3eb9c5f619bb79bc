-- Version 6: the append path pays only for what it uses.
--
-- Watch marks. A NOTIFY makes its commit take a cluster-wide lock until the commit's WAL flush is
-- done, so notifying commits serialise (pg-reference: 8 clients fell from 21 119 to 7 021
-- inserts/s with a NOTIFY each). Appends therefore notify only for streams somebody waits on: a
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

-- Marks (or extends) attempt streams as watched until the database's now + p_lease_ms.
CREATE FUNCTION tb_watch_streams(p_ids bigint[], p_lease_ms bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE tb_stream
    SET watched_until_ms = greatest(coalesce(watched_until_ms, 0),
                                    (extract(epoch FROM clock_timestamp()) * 1000)::bigint + p_lease_ms)
    WHERE id = ANY(p_ids) AND kind = 1
$$;

-- tb_append_batch as in V2, but it notifies only the streams that carry a live watch mark. The
-- one-durable-append fast path (AttemptStreamSql.APPEND_ONE, a single statement without
-- PL/pgSQL) applies the same rule.
CREATE OR REPLACE FUNCTION tb_append_batch(
    p_ord int[], p_execution_id uuid[], p_partition int[], p_attempt_index bigint[], p_lease_id uuid[], p_epoch bigint[],
    p_mode smallint[], p_frame_type text[], p_payload bytea[], p_correlation_id text[],
    p_ttl_ms bigint[], p_floor bigint[], p_ceiling bigint[], p_alpha double precision[],
    p_durable_cap bigint, p_summary_cap bigint, p_now_ms bigint,
    p_key text[], p_fingerprint bytea[], p_key_window bigint)
RETURNS TABLE (r_ord int, r_status smallint, r_pos bigint, r_frame_count bigint,
               r_summary_version bigint, r_detail text, r_stream_id bigint, r_replayed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    real_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;  -- watch marks: real time
    s tb_stream%ROWTYPE;
    i int;
    new_pos bigint;
    sv bigint;
    patch jsonb;
    merged jsonb;
    ttl_s double precision;
    dt bigint;
    rate double precision;
    k bigint;
    woken bigint[] := '{}';
    have_row boolean := false;
    -- the run in memory
    dirty boolean := false;
    f_pos bigint[];
    f_mode smallint[];
    f_type text[];
    f_payload bytea[];
    f_corr text[];
    f_sv bigint[];
    f_ttl bigint[];
    doc jsonb;               -- the summary as of the run's last delta; null until the run needs it
    doc_version bigint;
    doc_loaded boolean;
    doc_changed boolean;
    be_cap bigint;           -- K of the run's last best-effort append (null: no trim)
    excess bigint;
    cutoff bigint;
    n bigint;
    keyed boolean;           -- this item names its append
    run_keyed boolean;       -- the run recorded a key: forget keys that left the window
    seen tb_append_key%ROWTYPE;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_ord, 1), 0) + 1 LOOP
        -- a new stream (or the end): write the previous run, then lock the next stream's row
        IF i > coalesce(array_length(p_ord, 1), 0)
           OR NOT (have_row AND p_execution_id[i] = p_execution_id[i - 1]
                   AND p_partition[i] = p_partition[i - 1] AND p_attempt_index[i] = p_attempt_index[i - 1]) THEN
            IF dirty THEN
                IF cardinality(f_pos) = 1 THEN
                    -- the common case of a lone append: a plain VALUES insert is cheaper than unnest
                    INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id,
                                          summary_version, ttl_ms)
                    VALUES (s.id, f_pos[1], f_mode[1], now_ms, f_type[1], f_payload[1], f_corr[1], f_sv[1],
                            f_ttl[1]);
                ELSIF cardinality(f_pos) > 1 THEN
                    INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload, correlation_id,
                                          summary_version, ttl_ms)
                    SELECT s.id, t.pos, t.mode, now_ms, t.ftype, t.payload, t.corr, t.sv, t.ttl
                    FROM unnest(f_pos, f_mode, f_type, f_payload, f_corr, f_sv, f_ttl)
                         AS t(pos, mode, ftype, payload, corr, sv, ttl);
                END IF;
                IF doc_changed THEN
                    INSERT INTO tb_summary (stream_id, document, version, first_applied_ms, last_updated_ms)
                    VALUES (s.id, doc, doc_version, now_ms, now_ms)
                    ON CONFLICT (stream_id) DO UPDATE
                        SET document = excluded.document, version = excluded.version,
                            last_updated_ms = excluded.last_updated_ms;
                END IF;
                -- Trims find the newest frame to drop (the cutoff) by walking an index from the
                -- oldest frame of that mode, then delete a key range up to it: index range scans,
                -- also when the planner knows nothing about a new stream. The mode is a literal in
                -- each so the planner can use the partial index for summary and best-effort frames.
                excess := s.durable_retained - p_durable_cap;
                IF excess > 0 THEN
                    SELECT f.pos INTO cutoff FROM tb_frame f WHERE f.stream_id = s.id AND f.mode = 0
                    ORDER BY f.pos OFFSET excess - 1 LIMIT 1;
                    DELETE FROM tb_frame WHERE stream_id = s.id AND mode = 0 AND pos <= cutoff;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    s.durable_retained := s.durable_retained - n;
                    s.durable_trimmed_pos := cutoff;
                END IF;
                excess := s.summary_retained - p_summary_cap;
                IF excess > 0 THEN
                    SELECT f.pos INTO cutoff FROM tb_frame f WHERE f.stream_id = s.id AND f.mode = 1
                    ORDER BY f.pos OFFSET excess - 1 LIMIT 1;
                    DELETE FROM tb_frame WHERE stream_id = s.id AND mode = 1 AND pos <= cutoff;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    s.summary_retained := s.summary_retained - n;
                END IF;
                excess := s.be_retained - be_cap;
                IF excess > 0 THEN
                    SELECT f.pos INTO cutoff FROM tb_frame f WHERE f.stream_id = s.id AND f.mode = 2
                    ORDER BY f.pos OFFSET excess - 1 LIMIT 1;
                    DELETE FROM tb_frame WHERE stream_id = s.id AND mode = 2 AND pos <= cutoff;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    s.be_retained := s.be_retained - n;
                END IF;
                IF run_keyed THEN
                    DELETE FROM tb_append_key
                    WHERE stream_id = s.id AND frame_count <= s.frame_count - p_key_window;
                END IF;
                UPDATE tb_stream SET
                    last_pos = s.last_pos, frame_count = s.frame_count, total_bytes = s.total_bytes,
                    durable_retained = s.durable_retained, durable_trimmed_pos = s.durable_trimmed_pos,
                    summary_retained = s.summary_retained,
                    be_retained = s.be_retained, has_durable = s.has_durable,
                    be_expires_at_ms = s.be_expires_at_ms, ema_rate_hz = s.ema_rate_hz,
                    last_be_append_ms = s.last_be_append_ms, maxlen_applied_last = s.maxlen_applied_last
                WHERE id = s.id;
            END IF;
            EXIT WHEN i > coalesce(array_length(p_ord, 1), 0);
            dirty := false;
            f_pos := '{}'; f_mode := '{}'; f_type := '{}'; f_payload := '{}'; f_corr := '{}';
            f_sv := '{}'; f_ttl := '{}';
            doc := NULL; doc_version := 0; doc_loaded := false; doc_changed := false; be_cap := NULL;
            run_keyed := false;
            SELECT * INTO s FROM tb_stream
            WHERE kind = 1 AND execution_id = p_execution_id[i] AND partition_key = p_partition[i]
              AND attempt_index = p_attempt_index[i]
            FOR UPDATE;
            have_row := FOUND;
            -- a stream that held only best-effort frames and went silent for 2 x ttl has expired
            IF have_row AND NOT s.has_durable AND s.be_expires_at_ms IS NOT NULL
               AND s.be_expires_at_ms <= now_ms THEN
                DELETE FROM tb_frame WHERE stream_id = s.id;
                s.be_retained := 0;
                s.be_expires_at_ms := NULL;
                dirty := true;
            END IF;
        END IF;

        r_ord := p_ord[i];
        r_pos := NULL; r_frame_count := NULL; r_summary_version := NULL; r_detail := NULL;
        r_replayed := false;
        IF NOT have_row THEN
            r_status := 3;
            RETURN NEXT;
            CONTINUE;
        END IF;
        r_stream_id := s.id;
        r_status := tb_fence_status(s, p_lease_id[i], p_epoch[i], now_ms);
        IF r_status <> 0 THEN
            r_detail := s.closed_reason;
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- a named append answers its first outcome and writes nothing (the patch is not merged
        -- again); the key row is written below in this transaction, under the stream's row lock,
        -- so a retry in this batch, a later batch or another server sees it
        keyed := p_key IS NOT NULL AND p_key[i] IS NOT NULL;
        IF keyed THEN
            SELECT * INTO seen FROM tb_append_key WHERE stream_id = s.id AND key = p_key[i];
            IF FOUND THEN
                IF seen.fingerprint = p_fingerprint[i] THEN
                    r_pos := seen.pos;
                    r_frame_count := seen.frame_count;
                    r_summary_version := seen.summary_version;
                    r_replayed := true;
                ELSE
                    r_status := 6;
                    r_pos := seen.pos;
                END IF;
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;

        sv := NULL;
        IF p_mode[i] = 1 THEN
            IF NOT doc_loaded THEN
                SELECT document, version INTO doc, doc_version FROM tb_summary WHERE stream_id = s.id;
                IF NOT FOUND THEN
                    doc := '{}'::jsonb;
                    doc_version := 0;
                END IF;
                doc_loaded := true;
            END IF;
            -- the patch was validated in Java; this block only guards what jsonb alone rejects
            BEGIN
                patch := convert_from(p_payload[i], 'UTF8')::jsonb;
                merged := tb_merge_patch(doc, patch);
                -- checked on the parsed patch, so an escaped spelling of the sentinel counts too
                IF position('__ff_null__' IN patch::text) > 0 THEN
                    merged := tb_null_sentinels(merged);
                END IF;
            EXCEPTION WHEN data_exception OR invalid_text_representation OR character_not_in_repertoire THEN
                r_status := 4;
                r_detail := 'patch payload is not valid JSON for the summary: ' || SQLERRM;
                RETURN NEXT;
                CONTINUE;
            END;
            doc := merged;
            doc_version := doc_version + 1;
            doc_changed := true;
            sv := doc_version;
        END IF;

        -- ids never go back: a clock step back or a slower host reuses the last ms, seq + 1
        new_pos := CASE WHEN now_ms > (s.last_pos >> 16) THEN now_ms << 16 ELSE s.last_pos + 1 END;

        IF p_mode[i] = 0 THEN
            s.durable_retained := s.durable_retained + 1;
            s.has_durable := true;
        ELSIF p_mode[i] = 1 THEN
            s.summary_retained := s.summary_retained + 1;
            s.has_durable := true;
        ELSE
            -- reference EMA of the append rate; K = clamp(ceil(rate * ttl_s * 2), floor, ceiling)
            ttl_s := greatest(p_ttl_ms[i], 1) / 1000.0;
            IF s.ema_rate_hz IS NULL OR s.last_be_append_ms IS NULL THEN
                rate := p_floor[i] / (ttl_s * 2);
            ELSE
                dt := now_ms - s.last_be_append_ms;
                IF dt <= 0 THEN
                    dt := 1;
                END IF;
                rate := p_alpha[i] * (1000.0 / dt) + (1 - p_alpha[i]) * s.ema_rate_hz;
            END IF;
            k := least(greatest(ceil(rate * ttl_s * 2)::bigint, p_floor[i]), p_ceiling[i]);
            s.ema_rate_hz := rate;
            s.last_be_append_ms := now_ms;
            s.maxlen_applied_last := k;
            s.be_retained := s.be_retained + 1;
            be_cap := k;
            IF NOT s.has_durable AND p_ttl_ms[i] > 0 THEN
                s.be_expires_at_ms := now_ms + 2 * p_ttl_ms[i];
            END IF;
        END IF;
        IF s.has_durable THEN
            s.be_expires_at_ms := NULL;
        END IF;

        f_pos := f_pos || new_pos;
        f_mode := f_mode || p_mode[i];
        f_type := f_type || p_frame_type[i];
        f_payload := f_payload || p_payload[i];
        f_corr := f_corr || p_correlation_id[i];
        f_sv := f_sv || sv;
        f_ttl := f_ttl || CASE WHEN p_mode[i] = 2 AND p_ttl_ms[i] > 0 THEN p_ttl_ms[i] END;
        s.last_pos := new_pos;
        s.frame_count := s.frame_count + 1;
        s.total_bytes := s.total_bytes + octet_length(p_payload[i]);
        dirty := true;
        IF keyed THEN
            INSERT INTO tb_append_key (stream_id, key, pos, fingerprint, frame_count, summary_version)
            VALUES (s.id, p_key[i], new_pos, p_fingerprint[i], s.frame_count, sv);
            run_keyed := true;
        END IF;

        IF s.watched_until_ms > real_ms THEN
            woken := woken || s.id;
        END IF;
        r_status := 0;
        r_pos := new_pos;
        r_frame_count := s.frame_count;
        r_summary_version := sv;
        RETURN NEXT;
    END LOOP;
    PERFORM tb_notify_streams(woken);
END
$$;
