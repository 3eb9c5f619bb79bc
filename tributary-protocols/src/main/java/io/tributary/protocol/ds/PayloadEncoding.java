package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * How a stream's stored pieces become a response body and an SSE data event, decided by the
 * stream's content type: JSON streams answer one array of messages, other streams their bytes;
 * in SSE, {@code text/*} and JSON travel as text and everything else as base64.
 */
enum PayloadEncoding {
  JSON,
  TEXT,
  BASE64;

  static PayloadEncoding of(String contentType) {
    var media = NamedStreamInfo.mediaTypeOf(contentType);
    if (NamedStreamInfo.JSON_MEDIA_TYPE.equals(media)) {
      return JSON;
    }
    return media != null && media.startsWith("text/") ? TEXT : BASE64;
  }

  /** The HTTP response body for these pieces. */
  byte[] body(List<byte[]> pieces) {
    return this == JSON ? JsonMessages.join(pieces) : concat(pieces);
  }

  /** The text of one SSE data event carrying these pieces. */
  String eventText(List<byte[]> pieces) {
    return switch (this) {
      case JSON -> new String(JsonMessages.join(pieces), StandardCharsets.UTF_8);
      case TEXT -> new String(concat(pieces), StandardCharsets.UTF_8);
      case BASE64 -> Base64.getEncoder().encodeToString(concat(pieces));
    };
  }

  private static byte[] concat(List<byte[]> pieces) {
    if (pieces.size() == 1) {
      return pieces.getFirst();
    }
    var out = new ByteArrayOutputStream();
    pieces.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
