package io.tributary.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One frame to append. The payload is stored and returned byte for byte.
 *
 * @param payload the bytes (binary-safe)
 * @param kind used as the frame type when {@code frameType} is empty
 * @param frameType free-form classifier, e.g. {@code log}; empty means {@code kind.wire()}
 * @param correlationId optional; stored only when non-empty
 * @param mode durable (default), durable summary, or best-effort live
 */
public record Frame(
    byte[] payload, FrameKind kind, String frameType, String correlationId, StreamMode mode) {
  public Frame {
    Objects.requireNonNull(payload, "payload");
    kind = kind == null ? FrameKind.EVENT : kind;
    frameType = frameType == null ? "" : frameType;
    correlationId = correlationId == null || correlationId.isEmpty() ? null : correlationId;
    mode = mode == null ? StreamMode.DURABLE : mode;
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
    return new Frame(payload, kind, frameType, correlationId, m);
  }

  public Frame withCorrelationId(String id) {
    return new Frame(payload, kind, frameType, id, mode);
  }

  /** The type stored on the frame: {@code frameType}, or the kind's wire name when empty. */
  public String effectiveFrameType() {
    return frameType.isEmpty() ? kind.wire() : frameType;
  }
}
