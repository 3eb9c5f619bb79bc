package io.tributary.client;

/** The stream or attempt is closed: nothing more can be appended to it (HTTP 409 {@code stream_closed}). */
public class StreamClosedException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public StreamClosedException(int status, String kind, String message, boolean retryable) {
    super(status, kind, message, retryable);
  }
}
