package io.tributary.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

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

  /** Always {@code worker}: frames are written by the lease holder. */
  public static final String SOURCE = "worker";

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

  /** {@code utf8} when the payload is valid UTF-8, otherwise {@code base64}. */
  public String encoding() {
    return isUtf8() ? "utf8" : "base64";
  }

  /** The payload as text: UTF-8 when valid, otherwise standard base64 (see {@link #encoding()}). */
  public String payloadText() {
    return isUtf8()
        ? new String(payload, StandardCharsets.UTF_8)
        : Base64.getEncoder().encodeToString(payload);
  }

  /**
   * The frame as the reference's sorted field map: {@code frame_type}, {@code payload}, {@code
   * encoding}, {@code source}, {@code mode}, {@code ts}, and {@code correlation_id}, {@code
   * summary_version}, {@code ttl_ms} when set.
   */
  public Map<String, String> fields() {
    var m = new TreeMap<String, String>();
    m.put("frame_type", frameType);
    m.put("payload", payloadText());
    m.put("encoding", encoding());
    m.put("source", SOURCE);
    m.put("mode", mode);
    m.put("ts", Long.toString(ts));
    if (correlationId != null) {
      m.put("correlation_id", correlationId);
    }
    if (summaryVersion != null) {
      m.put("summary_version", summaryVersion.toString());
    }
    if (ttlMs != null) {
      m.put("ttl_ms", ttlMs.toString());
    }
    return m;
  }
}
