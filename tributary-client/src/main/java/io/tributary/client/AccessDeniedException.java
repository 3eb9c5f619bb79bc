package io.tributary.client;

/** No valid credential, or a credential that may not do this (HTTP 401, 403). */
public class AccessDeniedException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public AccessDeniedException(int status, String kind, String message, boolean retryable) {
    super(status, kind, message, retryable);
  }
}
