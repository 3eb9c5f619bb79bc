package io.tributary.client;

/** The outcomes a worker may close its attempt with. */
public enum CloseReason {
  ATTEMPT_SUCCESS,
  ATTEMPT_FAILURE,
  ATTEMPT_CANCELLED,
  EXPIRED,
  SUSPENSION_TIMEOUT,
  DEPENDENCY_IMPOSSIBLE;

  /** The reason as the server spells it, e.g. {@code attempt_success}. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
