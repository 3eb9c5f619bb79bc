package io.tributary.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checks {@link StreamStore#append} promises for a DurableSummary payload, made before it
 * reaches storage, so a bad patch is rejected with a clear error and never aborts a batch: UTF-8,
 * valid JSON, an object at the root (an empty array counts as an empty object, as in the
 * reference), nesting at most {@value #MAX_DEPTH}, and no NUL characters (they have no place in a
 * JSON document a database can index, e.g. PostgreSQL's jsonb). Backends call it through {@link
 * AttemptStreamRules}.
 */
public final class SummaryPatch {
  public static final int MAX_DEPTH = 16;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private SummaryPatch() {}

  /** Returns the payload to store (the original bytes, or {@code {}} for an empty array). */
  public static byte[] validate(byte[] payload) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload))
              .toString();
    } catch (CharacterCodingException e) {
      throw invalid("patch payload is not valid JSON (not UTF-8)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      throw invalid("patch payload is not valid JSON");
    }
    if (root == null || root.isMissingNode()) {
      throw invalid("patch payload is not valid JSON");
    }
    if (root.isArray() && root.isEmpty()) {
      return "{}".getBytes(StandardCharsets.UTF_8);
    }
    if (!root.isObject()) {
      throw invalid("patch must be a JSON object");
    }
    check(root, 1);
    return payload;
  }

  private static void check(JsonNode node, int depth) {
    if (node.isContainer() && depth > MAX_DEPTH) {
      throw invalid("patch_depth_exceeded");
    }
    if (node.isString() && node.asString().indexOf('\0') >= 0) {
      throw invalid("patch strings must not contain NUL characters");
    }
    if (node.isContainer()) {
      for (var entry : node.properties()) {
        if (entry.getKey().indexOf('\0') >= 0) {
          throw invalid("patch keys must not contain NUL characters");
        }
        check(entry.getValue(), depth + 1);
      }
      if (node.isArray()) {
        for (var child : node) {
          check(child, depth + 1);
        }
      }
    }
  }

  private static ValidationException invalid(String detail) {
    return new ValidationException(ValidationKind.INVALID_INPUT, detail);
  }
}
