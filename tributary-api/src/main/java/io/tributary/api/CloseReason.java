package io.tributary.api;

/** Why an attempt's stream was closed; {@link #wire()} is what reads report as closed_reason. */
public enum CloseReason {
  ATTEMPT_SUCCESS("attempt_success"),
  ATTEMPT_FAILURE("attempt_failure"),
  ATTEMPT_CANCELLED("attempt_cancelled"),
  EXPIRED("expired"),
  SUSPENSION_TIMEOUT("suspension_timeout"),
  DEPENDENCY_IMPOSSIBLE("dependency_impossible"),
  LEASE_EXPIRED("lease_expired"),
  RECLAIMED("reclaimed");

  private final String wire;

  CloseReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /**
   * Parses a wire token.
   *
   * @throws ValidationException for an unknown token
   */
  public static CloseReason parse(String wire) {
    for (var r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw ValidationException.invalid("unknown close reason '" + wire + "'");
  }
}
