package io.tributary.client;

/** The request was malformed or too large (HTTP 400, 413): fix it, do not retry. */
public class BadRequestException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public BadRequestException(int status, String kind, String message, boolean retryable) {
    super(status, kind, message, retryable);
  }
}
