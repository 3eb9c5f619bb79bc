package io.tributary.api;

import java.util.UUID;

/**
 * The worker's proof of ownership of one attempt, returned by {@link
 * StreamStore#startAttempt} and passed to every append. Only the handle of the current lease
 * (same attempt, lease id and epoch, not expired, attempt not closed) may append.
 *
 * <p>The store's {@link HandleCodec} ({@link StreamStore#handles()}) turns a handle into opaque,
 * versioned bytes (FlowFabric's v2 layout with the backend's tag, plus the lease expiry) or a
 * URL-safe token for HTTP headers, and back.
 */
public record Handle(
    ExecutionId executionId,
    long attemptIndex,
    UUID attemptId,
    UUID leaseId,
    long leaseEpoch,
    long leaseTtlMs,
    long leaseExpiresAtMs,
    String laneId,
    String workerInstanceId) {

  public Handle {
    if (executionId == null || attemptId == null || leaseId == null) {
      throw ValidationException.invalid("handle needs an execution id, attempt id and lease id");
    }
    if (attemptIndex < 0 || attemptIndex > 0xFFFF_FFFFL) {
      throw ValidationException.invalid("attempt_index must be a u32, got " + attemptIndex);
    }
    laneId = laneId == null ? "" : laneId;
    workerInstanceId = workerInstanceId == null ? "" : workerInstanceId;
  }

  /** The attempt this handle owns. */
  public AttemptRef attempt() {
    return new AttemptRef(executionId, attemptIndex);
  }
}
