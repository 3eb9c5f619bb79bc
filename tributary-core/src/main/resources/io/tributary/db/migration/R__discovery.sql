-- Discovery: the triggers that keep the listing columns of V5 (exec_created_at_ms, is_current)
-- on the current attempt stream's row. They are here, next to their functions, because a
-- repeatable migration runs after every versioned one and a trigger needs its function.

-- A new attempt is the current one and inherits the execution's creation time from the attempt
-- it replaces (or is the execution's first).
CREATE OR REPLACE FUNCTION tb_attempt_listing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.is_current := true;
    SELECT s.exec_created_at_ms INTO NEW.exec_created_at_ms
    FROM tb_execution e JOIN tb_stream s ON s.id = e.current_stream_id
    WHERE e.execution_id = NEW.execution_id AND e.partition_key = NEW.partition_key;
    NEW.exec_created_at_ms := coalesce(NEW.exec_created_at_ms, NEW.created_at_ms);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS tb_attempt_listing ON tb_stream;
CREATE TRIGGER tb_attempt_listing BEFORE INSERT ON tb_stream
    FOR EACH ROW WHEN (NEW.kind = 1) EXECUTE FUNCTION tb_attempt_listing();

-- When an execution moves to its next attempt, the previous one leaves the listing.
CREATE OR REPLACE FUNCTION tb_attempt_superseded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tb_stream SET is_current = false WHERE id = OLD.current_stream_id AND is_current;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS tb_attempt_superseded ON tb_execution;
CREATE TRIGGER tb_attempt_superseded AFTER UPDATE OF current_stream_id ON tb_execution
    FOR EACH ROW WHEN (OLD.current_stream_id IS NOT NULL
                       AND OLD.current_stream_id IS DISTINCT FROM NEW.current_stream_id)
    EXECUTE FUNCTION tb_attempt_superseded();
