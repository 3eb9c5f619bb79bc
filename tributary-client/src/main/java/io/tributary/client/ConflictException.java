package io.tributary.client;

/** The request conflicts with the stream's state (HTTP 409), e.g. {@code idempotency_key_reused}, a Durable Streams sequence gap or a fenced producer epoch. */
public class ConflictException extends TributaryClientException {
  private static final long serialVersionUID = 1L;

  /** See {@link TributaryClientException#TributaryClientException(int, String, String, boolean)}. */
  public ConflictException(int status, String kind, String message, boolean retryable) {
    this(status, kind, message, retryable, -1);
  }

  private final long expectedProducerSeq;

  ConflictException(int status, String kind, String message, boolean retryable, long expectedProducerSeq) {
    super(status, kind, message, retryable);
    this.expectedProducerSeq = expectedProducerSeq;
  }

  /**
   * On a Durable Streams {@code SEQUENCE_GAP}: the {@code Producer-Seq} the server expects next
   * (its {@code Producer-Expected-Seq} header); -1 when the answer did not say.
   */
  public long expectedProducerSeq() {
    return expectedProducerSeq;
  }
}
