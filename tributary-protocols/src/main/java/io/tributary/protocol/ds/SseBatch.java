package io.tributary.protocol.ds;

import java.nio.charset.StandardCharsets;

/**
 * What one read gave an SSE session: the data (if any) as event text, where to continue, and the
 * stream's state at that point. A batch that a {@link StreamFeed} shares is encoded once for all
 * of its readers: the event bytes are kept for the last stream cursor asked for (readers of one
 * stream in one cursor interval all ask for the same), so each reader writes the same array.
 *
 * @param <P> the stream kind's position type
 */
final class SseBatch<P> {
  private final boolean readable;
  private final String text;
  private final P next;
  private final String nextOffset;
  private final boolean upToDate;
  private final boolean closed;
  // encoded on first use, per cursor; a race encodes twice, never wrongly
  private volatile Encoded events;
  private volatile Encoded control;

  /**
   * @param readable false when the stream is gone (the session then ends)
   * @param text the data event's text, or null when the read returned nothing
   * @param next the position to read after next
   * @param nextOffset {@code next} as an offset token
   * @param upToDate the read reached the tail
   * @param closed the stream is closed
   */
  SseBatch(boolean readable, String text, P next, String nextOffset, boolean upToDate, boolean closed) {
    this.readable = readable;
    this.text = text;
    this.next = next;
    this.nextOffset = nextOffset;
    this.upToDate = upToDate;
    this.closed = closed;
  }

  static <P> SseBatch<P> unreadable() {
    return new SseBatch<>(false, null, null, null, false, false);
  }

  boolean readable() {
    return readable;
  }

  String text() {
    return text;
  }

  P next() {
    return next;
  }

  String nextOffset() {
    return nextOffset;
  }

  boolean upToDate() {
    return upToDate;
  }

  boolean closed() {
    return closed;
  }

  boolean hasData() {
    return text != null;
  }

  /** The stream is closed and this batch reaches its end: nothing more will come. */
  boolean endOfStream() {
    return closed && upToDate;
  }

  /** The data event followed by its control event carrying {@code cursor}, as sent. */
  byte[] events(String cursor) {
    var e = events;
    if (e == null || !e.cursor.equals(cursor)) {
      var data = hasData() ? SseEvents.data(text) : "";
      events = e = new Encoded(cursor, (data + controlText(cursor)).getBytes(StandardCharsets.UTF_8));
    }
    return e.bytes;
  }

  /** The control event alone, carrying {@code cursor}, as sent. */
  byte[] control(String cursor) {
    var c = control;
    if (c == null || !c.cursor.equals(cursor)) {
      control = c = new Encoded(cursor, controlText(cursor).getBytes(StandardCharsets.UTF_8));
    }
    return c.bytes;
  }

  private String controlText(String cursor) {
    return SseEvents.control(nextOffset, cursor, upToDate, endOfStream());
  }

  private record Encoded(String cursor, byte[] bytes) {}
}
