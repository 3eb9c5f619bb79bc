package io.tributary.protocol.ds;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON mode: request bodies become messages (a top-level array is flattened one level, each
 * element one message, stored as compact JSON), and stored messages become one JSON array.
 */
final class JsonMessages {
  // big decimals keep numbers as written (2.50 stays 2.50); trailing tokens make "{} {}" invalid
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private JsonMessages() {}

  /** The messages of an append body; an empty array or invalid JSON is a 400. */
  static List<byte[]> ofAppend(byte[] body) {
    var messages = flatten(body);
    if (messages.isEmpty()) {
      throw DsException.badRequest("an empty JSON array appends nothing; send at least one value");
    }
    return messages;
  }

  /** The messages of a create body: none for an empty body or {@code []}; invalid JSON is a 400. */
  static List<byte[]> ofCreate(byte[] body) {
    return body.length == 0 ? List.of() : flatten(body);
  }

  private static List<byte[]> flatten(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw DsException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw DsException.badRequest("body is not valid JSON: no value");
    }
    if (!root.isArray()) {
      return List.of(MAPPER.writeValueAsBytes(root));
    }
    var out = new ArrayList<byte[]>(root.size());
    for (var element : root.values()) {
      out.add(MAPPER.writeValueAsBytes(element));
    }
    return out;
  }

  /**
   * One JSON value, numbers kept as written; null when the bytes are not exactly one JSON value
   * (a caller that validated them on the way in falls back to text).
   */
  static JsonNode valueOrNull(byte[] json) {
    try {
      var node = MAPPER.readTree(json);
      return node == null || node.isMissingNode() ? null : node;
    } catch (JacksonException e) {
      return null;
    }
  }

  /** Stored messages as one JSON array ({@code []} when there are none). */
  static byte[] join(List<byte[]> messages) {
    int size = 2 + messages.size();
    for (var m : messages) {
      size += m.length;
    }
    var out = new ByteArrayOutputStream(size);
    out.write('[');
    for (int i = 0; i < messages.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(messages.get(i));
    }
    out.write(']');
    return out.toByteArray();
  }
}
