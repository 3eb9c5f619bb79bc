package io.tributary.postgres;

import io.tributary.api.ExecutionId;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * The opaque {@code next} cursors of the discovery listings: the sort key of a page's last item,
 * versioned and base64url-encoded so clients treat it as a token.
 */
final class ListingCursor {
  private static final String EXECUTIONS = "e1";
  private static final String STREAMS = "s1";

  private ListingCursor() {}

  /** Where an execution listing page ended: its last item's creation time and id. */
  record ExecutionKey(long createdAtMs, UUID uuid, int partition) {}

  static String execution(long createdAtMs, ExecutionId id) {
    return encode(EXECUTIONS, createdAtMs + "/" + id.uuid() + "/" + id.partition());
  }

  /**
   * Reads an execution cursor.
   *
   * @throws ValidationException when the text is not one
   */
  static ExecutionKey parseExecution(String cursor) {
    var parts = decode(EXECUTIONS, cursor).split("/", -1);
    try {
      if (parts.length == 3) {
        return new ExecutionKey(Long.parseLong(parts[0]), UUID.fromString(parts[1]), Integer.parseInt(parts[2]));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the common refusal
    }
    throw refusal(cursor);
  }

  static String stream(String path) {
    return encode(STREAMS, path);
  }

  /**
   * Reads a named-stream cursor: the path of the previous page's last stream.
   *
   * @throws ValidationException when the text is not one
   */
  static String parseStream(String cursor) {
    return decode(STREAMS, cursor);
  }

  private static String encode(String version, String key) {
    return version + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String version, String cursor) {
    if (cursor.startsWith(version + ".")) {
      try {
        byte[] raw = Base64.getUrlDecoder().decode(cursor.substring(version.length() + 1));
        var text = new String(raw, StandardCharsets.UTF_8);
        if (!text.isEmpty() && !text.contains("\uFFFD")) {
          return text;
        }
      } catch (IllegalArgumentException e) {
        // falls through to the common refusal
      }
    }
    throw refusal(cursor);
  }

  private static ValidationException refusal(String cursor) {
    String shown = cursor.length() > 40 ? cursor.substring(0, 40) + "…" : cursor;
    return new ValidationException(
        ValidationKind.INVALID_INPUT,
        "after: '" + shown + "' is not a cursor of this listing; pass the 'next' of the previous page");
  }
}
