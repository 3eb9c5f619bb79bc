package io.tributary.api;

/**
 * The request conflicts with the current state, e.g. starting an attempt while one is active, or
 * an idempotency key reused for a different append.
 */
public final class ConflictException extends TributaryException {
  /** Code of an idempotency key that already named a different append of the attempt. */
  public static final String IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused";

  private final String code;

  public ConflictException(String message) {
    this("conflict", message);
  }

  /** A conflict with a more specific machine-readable code than {@code conflict}. */
  public ConflictException(String code, String message) {
    super(message);
    this.code = code;
  }

  @Override
  public String code() {
    return code;
  }
}
