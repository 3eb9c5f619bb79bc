package io.tributary.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Data read from a named stream, and the offset right after it.
 *
 * @param data the bytes; for a JSON stream ({@code application/json}) a JSON array of messages
 * @param nextOffset where a later read or follow continues after this data
 */
public record NamedChunk(byte[] data, String nextOffset) {
  /** The data as UTF-8 text. */
  public String text() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /** The messages of a JSON stream's chunk. */
  public List<JsonNode> messages() {
    var array = Transport.JSON.readTree(data);
    var out = new ArrayList<JsonNode>();
    if (array != null && array.isArray()) {
      array.forEach(out::add);
    }
    return out;
  }

  /** Several parts (data events) of one batch as one chunk; JSON arrays are merged. */
  static NamedChunk of(List<byte[]> parts, String nextOffset, boolean json) {
    if (parts.size() == 1) {
      return new NamedChunk(parts.get(0), nextOffset);
    }
    if (json) {
      var merged = Transport.JSON.createArrayNode();
      for (var part : parts) {
        Transport.JSON.readTree(part).forEach(merged::add);
      }
      return new NamedChunk(Transport.JSON.writeValueAsBytes(merged), nextOffset);
    }
    var out = new java.io.ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return new NamedChunk(out.toByteArray(), nextOffset);
  }
}
