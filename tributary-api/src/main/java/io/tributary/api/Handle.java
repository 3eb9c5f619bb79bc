package io.tributary.api;

import java.util.UUID;

/**
 * The worker's proof of ownership of one attempt, returned by {@link
 * StreamStore#startAttempt} and passed to every append. Only the handle of the current lease
 * (same attempt, lease id and epoch, not expired, attempt not closed) may append.
 *
 * <p>{@link #encode()} gives opaque, versioned bytes (FlowFabric's v2 layout with the Postgres
 * backend tag, plus the lease expiry); {@link #toToken()} gives them as a URL-safe string for HTTP
 * headers. Decoding a garbled handle throws a {@link ValidationException} of kind {@link
 * ValidationKind#CORRUPTION}; a handle of another backend gives {@link
 * ValidationKind#HANDLE_FROM_OTHER_BACKEND}.
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

  public byte[] encode() {
    return HandleCodec.encode(this);
  }

  /** URL-safe base64 (no padding) of {@link #encode()}. */
  public String toToken() {
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(encode());
  }

  public static Handle decode(byte[] bytes) {
    return HandleCodec.decode(bytes);
  }

  /** Inverse of {@link #toToken()}. */
  public static Handle fromToken(String token) {
    if (token == null || token.isBlank()) {
      throw new ValidationException(ValidationKind.CORRUPTION, "handle is empty");
    }
    byte[] bytes;
    try {
      bytes = java.util.Base64.getUrlDecoder().decode(token.strip());
    } catch (IllegalArgumentException e) {
      throw new ValidationException(ValidationKind.CORRUPTION, "handle is not base64url");
    }
    return decode(bytes);
  }
}
