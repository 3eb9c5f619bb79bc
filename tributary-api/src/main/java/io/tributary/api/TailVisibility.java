package io.tributary.api;

/** Which frames a tail returns. */
public enum TailVisibility {
  /** Every frame (wire {@code ""}). */
  ALL(""),
  /** Skip best-effort frames, keep durable and summary ones (wire {@code exclude_best_effort}). */
  EXCLUDE_BEST_EFFORT("exclude_best_effort");

  private final String wire;

  TailVisibility(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
