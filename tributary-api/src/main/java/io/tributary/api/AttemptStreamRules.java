package io.tributary.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The argument rules {@link StreamStore} promises, in the promised order, written once: every
 * backend calls these before it touches storage, so a rejected call writes nothing and fails the
 * same way on every backend. The lease fence and the open-stream check come after these and need
 * the stored state, so they are the backend's.
 */
public final class AttemptStreamRules {
  /** Longest frame type or correlation id accepted, in characters. */
  public static final int MAX_TEXT_FIELD = 1_024;

  private static final Duration MAX_TAIL_BLOCK = Duration.ofMillis(StreamStore.MAX_TAIL_BLOCK_MS);

  private AttemptStreamRules() {}

  /**
   * Checks one frame before it is stored and returns the payload to store (a summary patch that
   * is an empty array becomes {@code {}}). Order: handle and frame present, payload size ({@link
   * ValidationKind#RETENTION_LIMIT_EXCEEDED}), frame type and correlation id (length, no NUL),
   * idempotency key (not empty, at most {@value StreamStore#MAX_IDEMPOTENCY_KEY_LENGTH}
   * characters, no NUL), then for DurableSummary the patch kind and the patch itself ({@link
   * SummaryPatch}).
   *
   * @throws ValidationException for the first rule the frame breaks
   */
  public static byte[] checkedPayload(Handle handle, Frame frame, int maxPayloadBytes) {
    if (handle == null || frame == null) {
      throw new ValidationException(ValidationKind.INVALID_INPUT, "handle and frame are required");
    }
    byte[] payload = frame.payload();
    if (payload.length > maxPayloadBytes) {
      throw new ValidationException(
          ValidationKind.RETENTION_LIMIT_EXCEEDED,
          "payload of " + payload.length + " bytes exceeds the limit of " + maxPayloadBytes + " bytes");
    }
    requireText("frame_type", frame.effectiveFrameType());
    if (frame.correlationId() != null) {
      requireText("correlation_id", frame.correlationId());
    }
    if (frame.idempotencyKey() != null) {
      requireIdempotencyKey(frame.idempotencyKey());
    }
    if (frame.mode() instanceof StreamMode.DurableSummary s) {
      if (s.patchKind() != PatchKind.JSON_MERGE_PATCH) {
        throw new ValidationException(ValidationKind.INVALID_INPUT, "unsupported patch_kind");
      }
      payload = SummaryPatch.validate(payload);
    }
    return payload;
  }

  /**
   * {@link #checkedPayload} for each frame of an all-or-nothing batch, in order.
   *
   * @throws ValidationException for an empty batch, or the first bad frame, its message starting
   *     with {@code frame <index>: }
   */
  public static List<byte[]> checkedPayloads(Handle handle, List<Frame> frames, int maxPayloadBytes) {
    if (frames == null || frames.isEmpty()) {
      throw new ValidationException(ValidationKind.INVALID_INPUT, "a batch needs at least one frame");
    }
    var payloads = new ArrayList<byte[]>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      try {
        payloads.add(checkedPayload(handle, frames.get(i), maxPayloadBytes));
      } catch (ValidationException e) {
        throw new ValidationException(e.kind(), "frame " + i + ": " + e.detail());
      }
    }
    return payloads;
  }

  /**
   * Checks the frame limit of a read or tail.
   *
   * @throws ValidationException unless {@code 1 <= limit <=} {@value StreamStore#READ_HARD_CAP}
   */
  public static void checkLimit(int limit) {
    if (limit < 1) {
      throw new ValidationException(ValidationKind.INVALID_INPUT, "limit must be >= 1");
    }
    if (limit > StreamStore.READ_HARD_CAP) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT,
          "limit exceeds the hard cap of " + StreamStore.READ_HARD_CAP + " frames");
    }
  }

  /**
   * Checks a tail's arguments in the promised order (cursor, block, limit) and returns its cursor.
   *
   * @throws ValidationException for {@code start}/{@code end} as the cursor, a block outside 0 ..
   *     {@value StreamStore#MAX_TAIL_BLOCK_MS} ms, or a bad limit
   */
  public static StreamCursor.At checkTail(StreamCursor after, Duration block, int limit) {
    if (!(after instanceof StreamCursor.At at)) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT,
          "tail requires a concrete after cursor; pass '0-0' to start from the beginning");
    }
    if (block == null || block.isNegative() || block.compareTo(MAX_TAIL_BLOCK) > 0) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT,
          "a tail blocks 0.." + StreamStore.MAX_TAIL_BLOCK_MS + " ms, got "
              + (block == null ? "none" : block.toMillis() + " ms"));
    }
    checkLimit(limit);
    return at;
  }

  /**
   * A lease ttl in ms.
   *
   * @throws ValidationException when it is missing or shorter than 1 ms
   */
  public static long leaseTtlMs(Duration ttl) {
    if (ttl == null || ttl.toMillis() < 1) {
      throw new ValidationException(ValidationKind.INVALID_INPUT, "lease ttl must be >= 1 ms");
    }
    return ttl.toMillis();
  }

  /**
   * Checks that a close names its reason.
   *
   * @throws ValidationException when {@code reason} is null
   */
  public static void checkCloseReason(CloseReason reason) {
    if (reason == null) {
      throw new ValidationException(ValidationKind.INVALID_INPUT, "close reason is required");
    }
  }

  /** Stored text has no NUL (PostgreSQL text cannot hold one); long classifiers are a client bug. */
  private static void requireText(String field, String value) {
    if (value.length() > MAX_TEXT_FIELD) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT, field + " is longer than " + MAX_TEXT_FIELD + " characters");
    }
    if (value.indexOf('\0') >= 0) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT, field + " must not contain NUL characters");
    }
  }

  private static void requireIdempotencyKey(String key) {
    if (key.isEmpty()) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT,
          "idempotency key must not be empty (omit it for an unnamed append)");
    }
    if (key.length() > StreamStore.MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT,
          "idempotency key is longer than " + StreamStore.MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
    if (key.indexOf('\0') >= 0) {
      throw new ValidationException(
          ValidationKind.INVALID_INPUT, "idempotency key must not contain NUL characters");
    }
  }
}
