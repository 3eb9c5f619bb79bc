package io.tributary.client;

/**
 * Something the server refused or could not do, or the server could not be reached. The
 * subclasses mirror the server's error kinds; {@link #kind()} is the server's own code (for
 * example {@code idempotency_key_reused}) and {@link #status()} the HTTP status (0 when no answer
 * came back).
 */
public class TributaryClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String kind;
  private final boolean retryable;

  /**
   * @param status the HTTP status, or 0 when the server gave no answer
   * @param kind the server's error code, or a client-side one such as {@code unreachable}
   * @param message what went wrong, as the server worded it
   * @param retryable whether the same request may succeed later
   */
  public TributaryClientException(int status, String kind, String message, boolean retryable) {
    this(status, kind, message, retryable, null);
  }

  /** As {@link #TributaryClientException(int, String, String, boolean)}, with a cause. */
  public TributaryClientException(
      int status, String kind, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.kind = kind;
    this.retryable = retryable;
  }

  /** The HTTP status of the refusal, or 0 when no answer came back. */
  public int status() {
    return status;
  }

  /** The server's error code ({@code stream_closed}, {@code not_found}, …). */
  public String kind() {
    return kind;
  }

  /** Whether retrying the same request later may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
