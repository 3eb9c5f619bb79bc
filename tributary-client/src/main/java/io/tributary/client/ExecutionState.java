package io.tributary.client;

/** Which executions {@link TributaryClient#executions} lists, by their current attempt's state. */
public enum ExecutionState {
  /** Every execution. */
  ALL,
  /** Those whose current attempt is open (or that have no attempt yet). */
  OPEN,
  /** Those whose current attempt is closed. */
  CLOSED;

  /** The state as the server spells it, e.g. {@code open}. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
