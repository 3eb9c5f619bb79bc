package io.tributary.client;

/** This worker no longer holds the attempt's lease (expired, reclaimed, or a newer epoch): stop writing (HTTP 409 {@code stale_owner_cannot_append}). */
public class LeaseLostException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public LeaseLostException(int status, String kind, String message, boolean retryable) {
    super(status, kind, message, retryable);
  }
}
