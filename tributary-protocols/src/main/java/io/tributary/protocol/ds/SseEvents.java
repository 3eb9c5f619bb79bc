package io.tributary.protocol.ds;

import tools.jackson.databind.json.JsonMapper;

/**
 * Server-sent event framing. Data text is split at every CR, LF and CRLF into its own {@code
 * data:} line, so stored text can never end an event or start a forged one.
 */
final class SseEvents {
  private static final JsonMapper MAPPER = JsonMapper.shared();

  private SseEvents() {}

  /** An {@code event: data} block carrying {@code text}. */
  static String data(String text) {
    var out = new StringBuilder(text.length() + 32).append("event: data\n");
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        line(out, text, start, i);
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    line(out, text, start, text.length());
    return out.append('\n').toString();
  }

  private static void line(StringBuilder out, String text, int from, int to) {
    // a reader drops one space after "data:", so a line that starts with one gets an extra
    out.append(from < to && text.charAt(from) == ' ' ? "data: " : "data:");
    out.append(text, from, to).append('\n');
  }

  /**
   * An {@code event: control} block. The cursor is left out once the stream is closed, when the
   * client has nothing left to poll for.
   */
  static String control(String nextOffset, String cursor, boolean upToDate, boolean closed) {
    var json = MAPPER.createObjectNode().put("streamNextOffset", nextOffset);
    if (!closed) {
      json.put("streamCursor", cursor);
    }
    if (upToDate) {
      json.put("upToDate", true);
    }
    if (closed) {
      json.put("streamClosed", true);
    }
    return "event: control\ndata:" + MAPPER.writeValueAsString(json) + "\n\n";
  }

  private static final byte[] KEEP_ALIVE = keepAlive().getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /** {@link #keepAlive()} as sent; one shared array, never to be written to. */
  static byte[] keepAliveBytes() {
    return KEEP_ALIVE;
  }

  /** A comment line that keeps idle connections (and proxies) open. */
  static String keepAlive() {
    return ": keep-alive\n\n";
  }
}
