package io.tributary.protocol.ds;

/**
 * What one read gave an SSE session: the data (if any) as event text, where to continue, and the
 * stream's state at that point.
 *
 * @param readable false when the stream is gone (the session then ends)
 * @param text the data event's text, or null when the read returned nothing
 * @param next the position to read after next
 * @param nextOffset {@code next} as an offset token
 * @param upToDate the read reached the tail
 * @param closed the stream is closed
 * @param <P> the stream kind's position type
 */
record SseBatch<P>(
    boolean readable, String text, P next, String nextOffset, boolean upToDate, boolean closed) {

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
}
