package io.tributary.client;

/** The request conflicts with the stream's state (HTTP 409), e.g. {@code idempotency_key_reused}, a Durable Streams sequence gap or a fenced producer epoch. */
public class ConflictException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public ConflictException(int status, String kind, String message, boolean retryable) {
    super(status, kind, message, retryable);
  }
}
