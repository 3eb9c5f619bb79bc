package io.tributary.api;

/**
 * Base of every error the store reports. The subclass says what a caller can do about it:
 * {@link ValidationException} (fix the request), {@link StaleOwnerException} and {@link
 * StreamClosedException} (stop writing), {@link NotFoundException}, {@link UnavailableException}
 * (retry later).
 */
public abstract sealed class TributaryException extends RuntimeException
    permits ValidationException,
        StaleOwnerException,
        StreamClosedException,
        NotFoundException,
        ConflictException,
        UnavailableException {
  protected TributaryException(String message) {
    super(message);
  }

  protected TributaryException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Stable machine-readable code, e.g. {@code stream_closed}. */
  public abstract String code();

  /** True when the same request may succeed if retried later. */
  public boolean retryable() {
    return false;
  }
}
