package io.tributary.api;

/**
 * The outcome of an append ({@code POST}).
 *
 * @param status what happened
 * @param nextPos the stream's tail after the call (also on refusals, when the stream exists)
 * @param closed whether the stream is closed after the call
 * @param producerEpoch for producer appends: the accepted epoch; on {@link Status#STALE_EPOCH} the
 *     current one
 * @param producerSeq for producer appends: the highest accepted sequence number; on {@link
 *     Status#SEQUENCE_GAP} the expected one
 */
public record NamedStreamAppendResult(
    Status status, long nextPos, boolean closed, Long producerEpoch, Long producerSeq) {

  /** What an append did. */
  public enum Status {
    /** Data was stored and/or the stream was closed. */
    APPENDED,
    /** A producer retry of an accepted request: nothing was written. */
    DUPLICATE,
    /** A close-only request on a stream that is already closed. */
    ALREADY_CLOSED,
    /** No stream at the URL (or it expired). */
    NOT_FOUND,
    /** The stream was deleted but is kept for its forks. */
    GONE,
    /** The stream is closed and takes no more data. */
    CLOSED,
    /** The request's content type is not the stream's. */
    CONTENT_TYPE_MISMATCH,
    /** Stream-Seq did not increase. */
    STREAM_SEQ_CONFLICT,
    /** The producer's epoch is older than the one the stream knows. */
    STALE_EPOCH,
    /** A new epoch must start at sequence 0. */
    EPOCH_SEQ_NOT_ZERO,
    /** The producer skipped sequence numbers. */
    SEQUENCE_GAP
  }
}
