package io.tributary.protocol.rest;

import io.tributary.api.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The frames of {@code POST …/stream/batch}: a JSON array of items, or NDJSON (one item per
 * line). An item is an object with the append parameters of {@code POST …/stream} as fields
 * ({@code frame_type}, {@code kind}, {@code mode}, {@code correlation_id}, {@code patch_kind},
 * {@code ttl_ms}, {@code maxlen_floor}, {@code maxlen_ceiling}, {@code ema_alpha}), plus {@code
 * payload} (a string; for a summary patch also a JSON object), {@code encoding} ({@code utf8},
 * the default, or {@code base64}) and {@code idempotency_key}.
 */
final class BatchItems {
  /** Most frames in one batch. */
  static final int MAX_FRAMES = 1000;

  private static final JsonMapper MAPPER = JsonMapper.shared();
  private static final Set<String> PARAMS =
      Set.of("frame_type", "kind", "mode", "correlation_id", "patch_kind", "ttl_ms", "maxlen_floor",
          "maxlen_ceiling", "ema_alpha");

  private BatchItems() {}

  /**
   * The frames, in order.
   *
   * @throws RestException 400 naming the item for anything malformed; nothing is appended then
   */
  static List<Frame> parse(byte[] body) {
    var items = new ArrayList<JsonNode>();
    String text = new String(body, StandardCharsets.UTF_8).strip();
    try {
      if (text.startsWith("[")) {
        MAPPER.readTree(text).forEach(items::add);
      } else {
        for (String line : text.split("\n")) {
          if (!line.isBlank()) {
            items.add(MAPPER.readTree(line));
          }
        }
      }
    } catch (JacksonException e) {
      throw RestException.badRequest(
          "batch body must be a JSON array of items or NDJSON (one item per line): " + e.getOriginalMessage());
    }
    if (items.isEmpty()) {
      throw RestException.badRequest("a batch needs at least one item");
    }
    if (items.size() > MAX_FRAMES) {
      throw RestException.badRequest("a batch holds at most " + MAX_FRAMES + " items, got " + items.size());
    }
    var frames = new ArrayList<Frame>(items.size());
    for (int i = 0; i < items.size(); i++) {
      try {
        frames.add(frame(items.get(i)));
      } catch (RestException e) {
        throw new RestException(e.status(), e.kind(), e.retryable(), "item " + i + ": " + e.getMessage());
      }
    }
    return frames;
  }

  private static Frame frame(JsonNode item) {
    if (!item.isObject()) {
      throw RestException.badRequest("an item must be a JSON object");
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    String key = null;
    String encoding = "utf8";
    JsonNode payload = null;
    for (var entry : item.properties()) {
      String name = entry.getKey();
      JsonNode value = entry.getValue();
      switch (name) {
        case "payload" -> payload = value;
        case "encoding" -> encoding = string(name, value);
        case "idempotency_key" -> key = string(name, value);
        default -> {
          if (!PARAMS.contains(name)) {
            throw RestException.badRequest("unknown field '" + name + "'");
          }
          params.put(name, List.of(value.isString() ? value.stringValue() : value.toString()));
        }
      }
    }
    if (payload == null) {
      throw RestException.badRequest("payload is required");
    }
    byte[] bytes;
    if (payload.isString()) {
      bytes =
          switch (encoding) {
            case "utf8" -> payload.stringValue().getBytes(StandardCharsets.UTF_8);
            case "base64" -> base64(payload.stringValue());
            default -> throw RestException.badRequest("encoding must be utf8 or base64, got '" + encoding + "'");
          };
    } else if ("summary".equals(first(params, "mode")) && payload.isObject()) {
      bytes = MAPPER.writeValueAsBytes(payload);
    } else {
      throw RestException.badRequest("payload must be a string (or, for mode summary, a JSON object)");
    }
    if (key != null && key.isEmpty()) {
      throw RestException.badRequest("idempotency_key must not be empty; leave it out for an unnamed append");
    }
    return AppendParams.frame(new QueryParams(params), bytes).withIdempotencyKey(key);
  }

  private static String first(Map<String, List<String>> params, String name) {
    var v = params.get(name);
    return v == null ? null : v.getFirst();
  }

  private static String string(String name, JsonNode value) {
    if (!value.isString()) {
      throw RestException.badRequest(name + " must be a string");
    }
    return value.stringValue();
  }

  private static byte[] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw RestException.badRequest("payload is not valid base64: " + e.getMessage());
    }
  }
}
