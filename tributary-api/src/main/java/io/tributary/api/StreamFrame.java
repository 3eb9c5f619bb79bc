package io.tributary.api;

import java.nio.charset.StandardCharsets;

/**
 * A stored frame as read back.
 *
 * @param id the frame's id
 * @param frameType the stored classifier
 * @param payload the exact bytes appended
 * @param mode wire token: {@code durable}, {@code summary} or {@code best_effort}
 * @param correlationId null when none was given
 * @param ts append time (ms since the epoch)
 * @param summaryVersion the post-merge summary version on summary frames, else null
 * @param ttlMs the best-effort ttl on best-effort frames with ttl > 0, else null
 */
public record StreamFrame(
    EntryId id,
    String frameType,
    byte[] payload,
    String mode,
    String correlationId,
    long ts,
    Long summaryVersion,
    Long ttlMs) {

  /** True when the payload is valid UTF-8. */
  public boolean isUtf8() {
    var decoder = StandardCharsets.UTF_8.newDecoder();
    try {
      decoder.decode(java.nio.ByteBuffer.wrap(payload));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }
}
