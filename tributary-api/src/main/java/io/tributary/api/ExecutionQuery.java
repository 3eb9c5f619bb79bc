package io.tributary.api;

/**
 * Which executions to list, newest first.
 *
 * @param state all, only those whose current attempt is open, or only those whose current attempt
 *     is closed
 * @param closeReason only executions whose current attempt closed for this reason, or null for
 *     any; implies {@link State#CLOSED}
 * @param limit page size, 1..{@value #MAX_LIMIT}
 * @param after the {@link Page#next()} of the previous page, or null for the first page
 */
public record ExecutionQuery(State state, CloseReason closeReason, int limit, String after) {
  /** Largest page. */
  public static final int MAX_LIMIT = 500;

  /** Page size when none is asked for. */
  public static final int DEFAULT_LIMIT = 50;

  /** The state filter. */
  public enum State {
    ALL("all"),
    OPEN("open"),
    CLOSED("closed");

    private final String wire;

    State(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /**
     * Parses {@code all}, {@code open} or {@code closed}.
     *
     * @throws ValidationException for anything else
     */
    public static State parse(String wire) {
      for (var s : values()) {
        if (s.wire.equals(wire)) {
          return s;
        }
      }
      throw ValidationException.invalid("state must be open, closed or all, got '" + wire + "'");
    }
  }

  /**
   * Checks the query; a close reason with state {@code ALL} becomes {@code CLOSED}.
   *
   * @throws ValidationException for a limit outside 1..{@value #MAX_LIMIT}, or a close reason with
   *     state {@code OPEN}
   */
  public ExecutionQuery {
    if (state == null) {
      state = State.ALL;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ValidationException.invalid("limit must be 1.." + MAX_LIMIT + ", got " + limit);
    }
    if (closeReason != null && state == State.OPEN) {
      throw ValidationException.invalid("close_reason " + closeReason.wire() + " cannot go with state=open");
    }
    if (closeReason != null) {
      state = State.CLOSED;
    }
  }

  /** The first page of every execution, {@value #DEFAULT_LIMIT} at a time. */
  public static ExecutionQuery all() {
    return new ExecutionQuery(State.ALL, null, DEFAULT_LIMIT, null);
  }

  /** The same query from {@code cursor} on. */
  public ExecutionQuery after(String cursor) {
    return new ExecutionQuery(state, closeReason, limit, cursor);
  }
}
