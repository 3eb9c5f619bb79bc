package io.tributary.client;

/** No such execution, attempt, summary or named stream (HTTP 404). */
public class NotFoundException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public NotFoundException(int status, String kind, String message, boolean retryable) {
    super(status, kind, message, retryable);
  }
}
