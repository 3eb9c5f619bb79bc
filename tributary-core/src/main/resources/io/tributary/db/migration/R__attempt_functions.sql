-- Server-side steps of the attempt-stream store. Each public operation is one round trip: the
-- Java side validates input, then calls one of these functions. The tables are V1. A repeatable
-- migration: every function here is in its final form and re-created whenever this file changes
-- (CREATE OR REPLACE; a change to a function's parameters or result columns needs a DROP FUNCTION
-- first, since OR REPLACE cannot change them).
--
-- Status codes shared by the functions (mapped to exceptions in PostgresStreamStore):
--   0 ok, 1 stale owner, 2 stream closed, 3 no such attempt, 4 invalid input, 5 conflict

-- RFC 7396 merge with the reference's rules: null deletes, a non-empty object merges
-- recursively (a non-object target becomes {}), anything else (scalars, arrays, {}) replaces.
CREATE OR REPLACE FUNCTION tb_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k text;
    v jsonb;
    result jsonb;
BEGIN
    result := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
    FOR k, v IN SELECT key, value FROM jsonb_each(patch) LOOP
        IF jsonb_typeof(v) = 'null' THEN
            result := result - k;
        ELSIF jsonb_typeof(v) = 'object' AND v <> '{}'::jsonb THEN
            result := result || jsonb_build_object(k, tb_merge_patch(result -> k, v));
        ELSE
            result := result || jsonb_build_object(k, v);
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- Every string leaf equal to the sentinel, at any depth (objects and arrays), becomes null.
CREATE OR REPLACE FUNCTION tb_null_sentinels(doc jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(doc)
        WHEN 'string' THEN CASE WHEN doc = '"__ff_null__"'::jsonb THEN 'null'::jsonb ELSE doc END
        WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(key, tb_null_sentinels(value)), '{}'::jsonb)
                            FROM jsonb_each(doc))
        WHEN 'array'  THEN (SELECT coalesce(jsonb_agg(tb_null_sentinels(value) ORDER BY ord), '[]'::jsonb)
                            FROM jsonb_array_elements(doc) WITH ORDINALITY AS t(value, ord))
        ELSE doc
    END
$$;

-- Why a caller holding (lease, epoch) may not act on attempt stream s at now_ms; 0 when it may.
-- A stream closed by reclaim or lease expiry means the caller's lease is gone: stale owner.
CREATE OR REPLACE FUNCTION tb_fence_status(s tb_stream, p_lease_id uuid, p_epoch bigint, p_now_ms bigint)
RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN s.closed_at_ms IS NOT NULL AND s.closed_reason IN ('reclaimed', 'lease_expired') THEN 1
        WHEN s.closed_at_ms IS NOT NULL THEN 2
        WHEN s.lease_id IS DISTINCT FROM p_lease_id OR s.lease_epoch IS DISTINCT FROM p_epoch THEN 1
        WHEN s.lease_expires_at_ms <= p_now_ms THEN 1
        ELSE 0
    END::smallint
$$;

-- VOLATILE, as its body (clock_timestamp()) is: the planner then inlines it into the calling
-- statement or PL/pgSQL expression. Declared STABLE it was never inlined (a STABLE function with a
-- volatile body is not), and every statement paid a SQL-function call: 0.03-0.07 ms, a sixth of the
-- one-append statement's server time (EXPLAIN ANALYZE, tributary-bench/calibrate/fence).
CREATE OR REPLACE FUNCTION tb_now_ms(p_now_ms bigint) RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(p_now_ms, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
$$;

-- The durable trim of the one-append statement (AttemptStreamSql.APPEND_ONE) for a stream the
-- append took over its cap: deletes the oldest durable frame above the retention watermark
-- p_watermark, moves the watermark to it and takes it off durable_retained; returns its position,
-- null when there is none (the stream then stays one over its cap and the next append's
-- tb_append_batch trims). The statement calls it after its row update, under that row lock, and
-- only at the cap: below it no part of the trim is in the statement's plan (its probes and DELETE,
-- set up on every execution, cost a third of its server time). VOLATILE on purpose: its queries
-- take a fresh snapshot, newer than the caller's row lock, and see the frames of the appends that
-- held the lock before.
CREATE OR REPLACE FUNCTION tb_trim_oldest_durable(p_stream_id bigint, p_watermark bigint)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    cut bigint;
BEGIN
    -- no OFFSET, LIMIT 1: the ordered scan from the watermark, also without statistics
    SELECT f.pos INTO cut FROM tb_frame f
    WHERE f.stream_id = p_stream_id AND f.mode = 0 AND f.pos > p_watermark
    ORDER BY f.pos LIMIT 1;
    IF cut IS NOT NULL THEN
        DELETE FROM tb_frame WHERE stream_id = p_stream_id AND pos = cut;
        UPDATE tb_stream SET durable_trimmed_pos = cut, durable_retained = durable_retained - 1
        WHERE id = p_stream_id;
    END IF;
    RETURN cut;
END
$$;

-- Sends one notification for a set of streams (at commit). Payloads are capped by PostgreSQL at
-- 8000 bytes; a longer list becomes '*' (wake everyone, who then re-query).
CREATE OR REPLACE FUNCTION tb_notify_streams(p_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    IF coalesce(array_length(p_ids, 1), 0) = 0 THEN
        RETURN;
    END IF;
    payload := array_to_string(ARRAY(SELECT DISTINCT unnest(p_ids)), ',');
    IF length(payload) > 7900 THEN
        payload := '*';
    END IF;
    PERFORM pg_notify('tributary_frames', payload);
END
$$;

-- Starts the next attempt of an execution (p_reclaim = false) or takes it over (true).
CREATE OR REPLACE FUNCTION tb_start_attempt(p_execution_id uuid, p_partition integer, p_lease_ttl_ms bigint,
                                 p_reclaim boolean, p_now_ms bigint)
RETURNS TABLE (r_status smallint, r_attempt_index bigint, r_attempt_id uuid, r_lease_id uuid,
               r_lease_epoch bigint, r_lease_expires_at_ms bigint)
LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    e tb_execution%ROWTYPE;
    cur tb_stream%ROWTYPE;
    new_id bigint;
    closed bigint[] := '{}';
BEGIN
    IF NOT p_reclaim THEN
        INSERT INTO tb_execution (execution_id, partition_key) VALUES (p_execution_id, p_partition)
        ON CONFLICT (execution_id, partition_key) DO NOTHING;
    END IF;
    SELECT * INTO e FROM tb_execution
    WHERE execution_id = p_execution_id AND partition_key = p_partition FOR UPDATE;
    IF NOT FOUND THEN
        r_status := 3;
        RETURN NEXT;
        RETURN;
    END IF;
    IF e.current_stream_id IS NOT NULL THEN
        SELECT * INTO cur FROM tb_stream WHERE id = e.current_stream_id FOR UPDATE;
        IF p_reclaim THEN
            -- unconditional: replaces an earlier lease_expired
            UPDATE tb_stream SET closed_at_ms = now_ms, closed_reason = 'reclaimed' WHERE id = cur.id
              AND closed_reason IS DISTINCT FROM 'attempt_success'
              AND closed_reason IS DISTINCT FROM 'attempt_failure'
              AND closed_reason IS DISTINCT FROM 'attempt_cancelled';
            closed := closed || cur.id;
        ELSIF cur.closed_at_ms IS NULL AND cur.lease_expires_at_ms > now_ms THEN
            r_status := 5;
            r_attempt_index := cur.attempt_index;
            RETURN NEXT;
            RETURN;
        ELSIF cur.closed_at_ms IS NULL THEN
            UPDATE tb_stream SET closed_at_ms = now_ms, closed_reason = 'lease_expired' WHERE id = cur.id;
            closed := closed || cur.id;
        END IF;
    END IF;
    r_attempt_index := e.next_attempt_index;
    r_attempt_id := gen_random_uuid();
    r_lease_id := gen_random_uuid();
    r_lease_epoch := e.lease_epoch + 1;
    r_lease_expires_at_ms := now_ms + p_lease_ttl_ms;
    INSERT INTO tb_stream (kind, created_at_ms, execution_id, partition_key, attempt_index, attempt_id,
                           lease_id, lease_epoch, lease_ttl_ms, lease_expires_at_ms)
    VALUES (1, now_ms, p_execution_id, e.partition_key, r_attempt_index, r_attempt_id, r_lease_id,
            r_lease_epoch, p_lease_ttl_ms, r_lease_expires_at_ms)
    RETURNING id INTO new_id;
    UPDATE tb_execution SET next_attempt_index = r_attempt_index + 1, lease_epoch = r_lease_epoch,
                            current_stream_id = new_id
    WHERE execution_id = p_execution_id AND partition_key = p_partition;
    -- 0 wakes tails that wait for an attempt that did not exist yet
    PERFORM tb_notify_streams(closed || 0::bigint);
    r_status := 0;
    RETURN NEXT;
END
$$;

-- Renews (p_close_reason null) or closes the attempt a handle names, after the fence check.
CREATE OR REPLACE FUNCTION tb_lease_step(p_execution_id uuid, p_partition integer, p_attempt_index bigint, p_lease_id uuid,
                              p_epoch bigint, p_lease_ttl_ms bigint, p_close_reason text, p_now_ms bigint)
RETURNS TABLE (r_status smallint, r_lease_expires_at_ms bigint, r_closed_reason text)
LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    s tb_stream%ROWTYPE;
BEGIN
    SELECT * INTO s FROM tb_stream
    WHERE kind = 1 AND execution_id = p_execution_id AND partition_key = p_partition
      AND attempt_index = p_attempt_index FOR UPDATE;
    IF NOT FOUND THEN
        r_status := 3;
        RETURN NEXT;
        RETURN;
    END IF;
    r_status := tb_fence_status(s, p_lease_id, p_epoch, now_ms);
    r_closed_reason := s.closed_reason;
    IF r_status = 0 THEN
        IF p_close_reason IS NULL THEN
            UPDATE tb_stream SET lease_expires_at_ms = now_ms + p_lease_ttl_ms, lease_ttl_ms = p_lease_ttl_ms
            WHERE id = s.id;
            r_lease_expires_at_ms := now_ms + p_lease_ttl_ms;
        ELSE
            UPDATE tb_stream SET closed_at_ms = now_ms, closed_reason = p_close_reason WHERE id = s.id;
            r_closed_reason := p_close_reason;
            PERFORM tb_notify_streams(ARRAY[s.id]);
        END IF;
    END IF;
    RETURN NEXT;
END
$$;

-- Closes every open attempt whose lease has expired; returns how many.
CREATE OR REPLACE FUNCTION tb_expire_leases(p_now_ms bigint) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    now_ms bigint := tb_now_ms(p_now_ms);
    ids bigint[];
BEGIN
    WITH expired AS (
        UPDATE tb_stream SET closed_at_ms = now_ms, closed_reason = 'lease_expired'
        WHERE kind = 1 AND closed_at_ms IS NULL AND lease_expires_at_ms <= now_ms
        RETURNING id)
    SELECT coalesce(array_agg(id), '{}') INTO ids FROM expired;
    PERFORM tb_notify_streams(ids);
    RETURN coalesce(array_length(ids, 1), 0);
END
$$;

-- Marks (or extends) streams of either kind as watched until the database's now + p_lease_ms.
CREATE OR REPLACE FUNCTION tb_watch_streams(p_ids bigint[], p_lease_ms bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE tb_stream
    SET watched_until_ms = greatest(coalesce(watched_until_ms, 0),
                                    (extract(epoch FROM clock_timestamp()) * 1000)::bigint + p_lease_ms)
    WHERE id = ANY(p_ids)
$$;

-- Appends a batch of frames (group commit): one transaction, one notification. Items are
-- independent: a rejected item writes nothing and does not affect the others. Callers sort the
-- items by stream so concurrent batches lock streams in one order. A run of appends to one stream
-- is kept in memory and written once: one multi-row INSERT, at most one trim per mode, one summary
-- write, one row update. Deliberate approximation: within a run, best-effort frames are trimmed to
-- the K of the run's last best-effort append (the reference trims approximately too).
-- Idempotent appends (p_key, p_fingerprint, p_key_window): a named append that already
-- committed answers its first outcome (r_replayed) and writes nothing; the same key with another
-- append is status 6 (r_pos = the first append's position). An unnamed batch passes null arrays
-- and pays one branch per item. Keys are in tb_append_key (V1). A durable trim records its cutoff
-- in tb_stream.durable_trimmed_pos, the retention watermark readers compare offsets against.
-- Modes: 0 durable, 1 summary (payload: a validated JSON object), 2 best effort.
-- Only streams that carry a live watch mark (V1, watched_until_ms) are notified; the
-- one-durable-append fast path (AttemptStreamSql.APPEND_ONE, one statement without PL/pgSQL)
-- applies the same rule.
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
                -- The OFFSETs are sub-selects so that they are run-time values: with a constant
                -- the planner scanned and sorted the whole stream on a table without statistics
                -- (5.7 ms for 100 frames); durable trims start at the watermark, past the dead
                -- index entries of earlier trims.
                excess := s.durable_retained - p_durable_cap;
                IF excess > 0 THEN
                    SELECT f.pos INTO cutoff FROM tb_frame f WHERE f.stream_id = s.id AND f.mode = 0
                      AND f.pos > s.durable_trimmed_pos
                    ORDER BY f.pos OFFSET (SELECT excess - 1) LIMIT 1;
                    DELETE FROM tb_frame WHERE stream_id = s.id AND mode = 0 AND pos > s.durable_trimmed_pos
                      AND pos <= cutoff;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    s.durable_retained := s.durable_retained - n;
                    s.durable_trimmed_pos := cutoff;
                END IF;
                excess := s.summary_retained - p_summary_cap;
                IF excess > 0 THEN
                    SELECT f.pos INTO cutoff FROM tb_frame f WHERE f.stream_id = s.id AND f.mode = 1
                    ORDER BY f.pos OFFSET (SELECT excess - 1) LIMIT 1;
                    DELETE FROM tb_frame WHERE stream_id = s.id AND mode = 1 AND pos <= cutoff;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    s.summary_retained := s.summary_retained - n;
                END IF;
                excess := s.be_retained - be_cap;
                IF excess > 0 THEN
                    SELECT f.pos INTO cutoff FROM tb_frame f WHERE f.stream_id = s.id AND f.mode = 2
                    ORDER BY f.pos OFFSET (SELECT excess - 1) LIMIT 1;
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
