package io.tributary.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Paths, offsets and JSON shapes of the server's two APIs. */
final class Wire {
  /** The Durable Streams offset before the first frame of an attempt stream. */
  static final String ATTEMPT_START_OFFSET = "0000000000000000_0000000000000000";

  private Wire() {}

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String attemptPath(String executionId, long index) {
    return "/v1/executions/" + encode(executionId) + "/attempts/" + index;
  }

  static String attemptView(String executionId, long index) {
    return "/v1/stream/executions/" + encode(executionId) + "/attempts/" + index;
  }

  /** The path of a named stream, each segment percent-encoded; accepts names with or without the /v1/stream/ prefix. */
  static String namedPath(String name) {
    String bare = name.startsWith("/v1/stream/") ? name.substring("/v1/stream/".length()) : name.replaceFirst("^/+", "");
    var out = new StringBuilder("/v1/stream");
    for (String segment : bare.split("/", -1)) {
      out.append('/').append(encode(segment));
    }
    return out.toString();
  }

  /** The Durable Streams offset right after the frame {@code id} ({@code <ms>-<seq>}). */
  static String offsetAfter(String id) {
    int dash = id.indexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("not a frame id (<ms>-<seq>): " + id);
    }
    return String.format(
        "%016d_%016d", Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
  }

  /** Whether frame id {@code a} comes after {@code b} (null: before everything). */
  static boolean after(String a, String b) {
    if (b == null) {
      return true;
    }
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int byMs = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
    return byMs != 0
        ? byMs > 0
        : Long.parseLong(a.substring(da + 1)) > Long.parseLong(b.substring(db + 1));
  }

  /** A frame as the Durable Streams attempt view sends it. */
  static StoredFrame viewFrame(JsonNode m) {
    return new StoredFrame(
        m.get("id").asString(),
        text(m, "frame_type"),
        text(m, "mode"),
        m.has("ts") ? m.get("ts").asLong() : 0,
        payload(viewPayload(m.get("payload")), text(m, "encoding")),
        text(m, "correlation_id"));
  }

  /**
   * The view sends a summary frame's patch as a JSON value, every other payload as a string:
   * either way the frame's bytes are the text.
   */
  private static String viewPayload(JsonNode payload) {
    if (payload == null || payload.isNull()) {
      return null;
    }
    return payload.isString() ? payload.asString() : Transport.JSON.writeValueAsString(payload);
  }

  /** The frames of a REST read or tail body. */
  static FramePage page(JsonNode body) {
    var frames = new ArrayList<StoredFrame>();
    for (var entry : body.get("frames")) {
      var f = entry.get("fields");
      String ts = text(f, "ts");
      frames.add(
          new StoredFrame(
              entry.get("id").asString(),
              text(f, "frame_type"),
              text(f, "mode"),
              ts == null ? 0 : Long.parseLong(ts),
              payload(text(f, "payload"), text(f, "encoding")),
              text(f, "correlation_id")));
    }
    return new FramePage(List.copyOf(frames), text(body, "closed_reason"));
  }

  static Summary summary(JsonNode body) {
    return new Summary(
        Transport.JSON.writeValueAsString(body.get("document")),
        body.get("version").asLong(),
        body.has("last_updated_ms") ? body.get("last_updated_ms").asLong() : 0);
  }

  private static byte[] payload(String payload, String encoding) {
    if (payload == null) {
      return new byte[0];
    }
    return "base64".equals(encoding)
        ? Base64.getDecoder().decode(payload)
        : payload.getBytes(StandardCharsets.UTF_8);
  }

  /** The bytes as text when they are valid UTF-8, else null. */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  static String text(JsonNode node, String field) {
    var v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }
}
