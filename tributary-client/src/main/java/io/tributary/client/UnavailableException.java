package io.tributary.client;

/** The server is busy, shutting down or unreachable, and stayed so through every retry (HTTP 429, 503, or no answer). */
public class UnavailableException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public UnavailableException(int status, String kind, String message, boolean retryable) {
    super(status, kind, message, retryable);
  }
}
