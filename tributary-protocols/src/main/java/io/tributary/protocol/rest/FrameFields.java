package io.tributary.protocol.rest;

import io.tributary.api.StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * A frame as the FlowFabric REST routes present it: the reference's sorted field map of strings.
 */
final class FrameFields {
  /** Always {@code worker}: frames are written by the lease holder. */
  static final String SOURCE = "worker";

  private FrameFields() {}

  /**
   * {@code frame_type}, {@code payload} (the text when UTF-8, else standard base64), {@code
   * encoding} ({@code utf8} or {@code base64}), {@code source}, {@code mode}, {@code ts}, and
   * {@code correlation_id}, {@code summary_version}, {@code ttl_ms} when set.
   */
  static Map<String, String> of(StreamFrame frame) {
    boolean utf8 = frame.isUtf8();
    var m = new TreeMap<String, String>();
    m.put("frame_type", frame.frameType());
    m.put(
        "payload",
        utf8
            ? new String(frame.payload(), StandardCharsets.UTF_8)
            : Base64.getEncoder().encodeToString(frame.payload()));
    m.put("encoding", utf8 ? "utf8" : "base64");
    m.put("source", SOURCE);
    m.put("mode", frame.mode());
    m.put("ts", Long.toString(frame.ts()));
    if (frame.correlationId() != null) {
      m.put("correlation_id", frame.correlationId());
    }
    if (frame.summaryVersion() != null) {
      m.put("summary_version", frame.summaryVersion().toString());
    }
    if (frame.ttlMs() != null) {
      m.put("ttl_ms", frame.ttlMs().toString());
    }
    return m;
  }
}
