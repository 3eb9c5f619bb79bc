package io.tributary.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One frame to append. The payload is stored and returned byte for byte.
 *
 * <p><b>Idempotency key.</b> A writer that cannot tell whether an append committed (it timed out,
 * the connection or the server went away) retries it with the same key: if the first try
 * committed, the retry writes nothing and answers the first outcome ({@link
 * AppendOutcome#replayed()}); a summary patch is not merged twice. See {@link
 * StreamStore#append} for the full contract.
 *
 * @param payload the bytes (binary-safe)
 * @param kind used as the frame type when {@code frameType} is empty
 * @param frameType free-form classifier, e.g. {@code log}; empty means {@code kind.wire()}
 * @param correlationId optional; stored only when non-empty
 * @param mode durable (default), durable summary, or best-effort live
 * @param idempotencyKey optional name of this append, unique within the attempt stream; null
 *     means none. Checked by the store: 1..{@value StreamStore#MAX_IDEMPOTENCY_KEY_LENGTH}
 *     characters, no NUL (an empty key is rejected, not ignored)
 */
public record Frame(
    byte[] payload,
    FrameKind kind,
    String frameType,
    String correlationId,
    StreamMode mode,
    String idempotencyKey) {
  public Frame {
    Objects.requireNonNull(payload, "payload");
    kind = kind == null ? FrameKind.EVENT : kind;
    frameType = frameType == null ? "" : frameType;
    correlationId = correlationId == null || correlationId.isEmpty() ? null : correlationId;
    mode = mode == null ? StreamMode.DURABLE : mode;
  }

  /** A frame without an idempotency key. */
  public Frame(byte[] payload, FrameKind kind, String frameType, String correlationId, StreamMode mode) {
    this(payload, kind, frameType, correlationId, mode, null);
  }

  /** A durable frame of the given type with a UTF-8 text payload. */
  public static Frame of(String frameType, String payload) {
    return new Frame(payload.getBytes(StandardCharsets.UTF_8), FrameKind.EVENT, frameType, null, null);
  }

  /** A durable frame of the given type. */
  public static Frame of(String frameType, byte[] payload) {
    return new Frame(payload, FrameKind.EVENT, frameType, null, null);
  }

  public Frame withMode(StreamMode m) {
    return new Frame(payload, kind, frameType, correlationId, m, idempotencyKey);
  }

  public Frame withCorrelationId(String id) {
    return new Frame(payload, kind, frameType, id, mode, idempotencyKey);
  }

  /** This frame named by {@code key} (null removes the key); retries must use the same key. */
  public Frame withIdempotencyKey(String key) {
    return new Frame(payload, kind, frameType, correlationId, mode, key);
  }

  /** The type stored on the frame: {@code frameType}, or the kind's wire name when empty. */
  public String effectiveFrameType() {
    return frameType.isEmpty() ? kind.wire() : frameType;
  }
}
