package io.tributary.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.nio.charset.StandardCharsets;

/**
 * Answers the errors Helidon raises before routing (body over the size limit, malformed request
 * line or headers) with the same JSON envelope the API uses instead of Helidon's HTML text.
 */
final class JsonDirectHandler implements DirectHandler {
  static DirectHandlers all() {
    var builder = DirectHandlers.builder();
    var handler = new JsonDirectHandler();
    for (var type : EventType.values()) {
      builder.addHandler(type, handler);
    }
    return builder.build();
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status defaultStatus,
      ServerResponseHeaders headers,
      String message) {
    String error =
        defaultStatus.code() == 413
            ? "request body exceeds the server's limit (see --max-body-bytes)"
            : message == null || message.isBlank() ? defaultStatus.reasonPhrase() : message;
    String kind =
        switch (defaultStatus.code()) {
          case 413 -> "payload_too_large";
          case 400 -> "bad_request";
          default -> "internal";
        };
    String body =
        "{\"error\":" + quote(error) + ",\"kind\":\"" + kind + "\",\"retryable\":false}";
    headers.set(HeaderNames.CONTENT_TYPE, "application/json");
    headers.set(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
    return TransportResponse.builder()
        .status(defaultStatus)
        .headers(headers)
        .entity(body.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static String quote(String s) {
    var sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
