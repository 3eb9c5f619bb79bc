package io.tributary.protocol.ds;

import java.nio.charset.StandardCharsets;

/**
 * What one read gave an SSE session: the data (if any) as event text, where to continue, and the
 * stream's state at that point. A batch that a {@link StreamFeed} shares is encoded once for all
 * of its readers: the event bytes are kept for the last stream cursor asked for (readers of one
 * stream in one cursor interval all ask for the same), so each reader writes the same array.
 *
 * @param readable false when the stream is gone (the session then ends)
 * @param text the data event's text, or null when the read returned nothing
 * @param next the position to read after next
 * @param nextOffset {@code next} as an offset token
 * @param upToDate the read reached the tail
 * @param closed the stream is closed
 * @param encoded this batch's events as sent, per cursor
 * @param <P> the stream kind's position type
 */
record SseBatch<P>(
    boolean readable, String text, P next, String nextOffset, boolean upToDate, boolean closed, Encoded encoded) {

  SseBatch(boolean readable, String text, P next, String nextOffset, boolean upToDate, boolean closed) {
    this(readable, text, next, nextOffset, upToDate, closed, new Encoded());
  }

  static <P> SseBatch<P> unreadable() {
    return new SseBatch<>(false, null, null, null, false, false);
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
    var e = encoded.events;
    if (e == null || !e.cursor().equals(cursor)) {
      var data = hasData() ? SseEvents.data(text) : "";
      encoded.events = e = new ForCursor(cursor, (data + controlText(cursor)).getBytes(StandardCharsets.UTF_8));
    }
    return e.bytes();
  }

  /** The control event alone, carrying {@code cursor}, as sent. */
  byte[] control(String cursor) {
    var c = encoded.control;
    if (c == null || !c.cursor().equals(cursor)) {
      encoded.control = c = new ForCursor(cursor, controlText(cursor).getBytes(StandardCharsets.UTF_8));
    }
    return c.bytes();
  }

  private String controlText(String cursor) {
    return SseEvents.control(nextOffset, cursor, upToDate, endOfStream());
  }

  /** The encodings made so far; a race encodes twice, never wrongly. */
  static final class Encoded {
    private volatile ForCursor events;
    private volatile ForCursor control;
  }

  private record ForCursor(String cursor, byte[] bytes) {}
}
