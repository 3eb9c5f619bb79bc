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
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
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
  /** Reads one item where the parser stands; the items after it are not trailing garbage. */
  private static final ObjectReader ITEM =
      MAPPER.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> PARAMS =
      Set.of("frame_type", "kind", "mode", "correlation_id", "patch_kind", "ttl_ms", "maxlen_floor",
          "maxlen_ceiling", "ema_alpha");

  private BatchItems() {}

  /**
   * The frames, in order. One parser reads the body's bytes item by item (no copy of the body, no
   * split into lines); an NDJSON item must start and end on a line of its own.
   *
   * @throws RestException 400 naming the item for anything malformed; nothing is appended then
   */
  static List<Frame> parse(byte[] body) {
    var frames = new ArrayList<Frame>();
    try (JsonParser p = MAPPER.createParser(body == null ? new byte[0] : body)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_ARRAY) {
        while (next(p, frames.size()) != JsonToken.END_ARRAY) {
          frames.add(item(p, frames.size(), -1));
        }
        if (p.nextToken() != null) {
          throw RestException.badRequest("a batch body that is a JSON array must end after the array");
        }
      } else {
        int lastLine = 0;
        for (JsonToken t = first; t != null; t = next(p, frames.size())) {
          int line = p.currentTokenLocation().getLineNr();
          if (line == lastLine) {
            throw itemError(frames.size(), "NDJSON takes one item per line; this one starts on the line of the one before");
          }
          frames.add(item(p, frames.size(), line));
          lastLine = p.currentTokenLocation().getLineNr();
        }
      }
    }
    if (frames.isEmpty()) {
      throw RestException.badRequest("a batch needs at least one item");
    }
    return frames;
  }

  private static JsonToken next(JsonParser p, int index) {
    try {
      return p.nextToken();
    } catch (JacksonException e) {
      throw itemError(index, "malformed JSON (a batch is a JSON array of items or NDJSON, one item per line): "
          + e.getOriginalMessage());
    }
  }

  /** The item at the parser's current token; {@code line} is its NDJSON line, or -1 in an array. */
  private static Frame item(JsonParser p, int index, int line) {
    if (index >= MAX_FRAMES) {
      throw RestException.badRequest("a batch holds at most " + MAX_FRAMES + " items");
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw itemError(index, "an item must be a JSON object");
    }
    JsonNode node;
    try {
      node = ITEM.readValue(p);
    } catch (JacksonException e) {
      throw itemError(index, "malformed JSON (a batch is a JSON array of items or NDJSON, one item per line): "
          + e.getOriginalMessage());
    }
    if (line >= 0 && p.currentTokenLocation().getLineNr() != line) {
      throw itemError(index, "NDJSON takes one item per line; this one spans lines");
    }
    try {
      return frame(node);
    } catch (RestException e) {
      throw new RestException(e.status(), e.kind(), e.retryable(), "item " + index + ": " + e.getMessage());
    }
  }

  private static RestException itemError(int index, String message) {
    return RestException.badRequest("item " + index + ": " + message);
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
