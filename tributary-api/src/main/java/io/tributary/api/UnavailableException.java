package io.tributary.api;

/**
 * The store cannot serve the call right now: it is shutting down, the database is unreachable, or
 * a concurrency limit is full. Retry with backoff when {@link #retryable()} is true.
 */
public final class UnavailableException extends TributaryException {
  private final boolean retryable;

  public UnavailableException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  @Override
  public String code() {
    return "unavailable";
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
