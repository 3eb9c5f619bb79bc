package io.tributary.api;

/**
 * The handle no longer owns the attempt: its lease expired or was revoked, another lease or epoch
 * is current, or the attempt index is not the current one. The worker must stop writing.
 */
public final class StaleOwnerException extends TributaryException {
  public StaleOwnerException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "stale_owner_cannot_append";
  }
}
