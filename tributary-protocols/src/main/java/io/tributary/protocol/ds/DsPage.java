package io.tributary.protocol.ds;

import java.util.List;

/**
 * One read of a stream of either kind, as the Durable Streams read path answers it: the stored
 * pieces after a position and the stream's state at that point. A page that a {@link StreamFeed}
 * shares is rendered once (body, SSE event) for all of its readers.
 *
 * @param <P> the stream kind's position type
 */
final class DsPage<P> {
  private final String tag;
  private final String contentType;
  private final PayloadEncoding encoding;
  private final List<byte[]> payloads;
  private final P after;
  private final P next;
  private final String nextOffset;
  private final boolean upToDate;
  private final boolean closed;
  private final boolean shareable;
  // rendered on first use; a race renders twice, never wrongly
  private volatile SseBatch<P> batch;
  private volatile byte[] body;

  /**
   * @param tag names the stream in entity tags (its kind and id)
   * @param contentType the stream's content type
   * @param encoding how the pieces become a body and an SSE data event
   * @param payloads the stored pieces after {@code after}, oldest first
   * @param after the position read after (a start read may have moved it past trimmed frames)
   * @param next where to continue: the last piece's end, or {@code after} when there is none
   * @param nextOffset {@code next} as an offset token
   * @param upToDate the read reached the stream's tail
   * @param closed the stream is closed
   * @param shareable live readers of the stream may share its reads (false when a read refreshes
   *     a TTL or the stream expires by time: every reader must then read for itself)
   */
  DsPage(
      String tag,
      String contentType,
      PayloadEncoding encoding,
      List<byte[]> payloads,
      P after,
      P next,
      String nextOffset,
      boolean upToDate,
      boolean closed,
      boolean shareable) {
    this.tag = tag;
    this.contentType = contentType;
    this.encoding = encoding;
    this.payloads = List.copyOf(payloads);
    this.after = after;
    this.next = next;
    this.nextOffset = nextOffset;
    this.upToDate = upToDate;
    this.closed = closed;
    this.shareable = shareable;
  }

  String tag() {
    return tag;
  }

  String contentType() {
    return contentType;
  }

  PayloadEncoding encoding() {
    return encoding;
  }

  P after() {
    return after;
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

  boolean shareable() {
    return shareable;
  }

  boolean isEmpty() {
    return payloads.isEmpty();
  }

  long payloadBytes() {
    long n = 0;
    for (var p : payloads) {
      n += p.length;
    }
    return n;
  }

  /** The stream is closed and this page reaches its end. */
  boolean endOfStream() {
    return upToDate && closed;
  }

  /** An empty page at this page's end: what a reader that has read this one sees while nothing new comes. */
  DsPage<P> atEnd() {
    return new DsPage<>(tag, contentType, encoding, List.of(), next, next, nextOffset, true, closed, shareable);
  }

  /** The response body carrying the pieces. */
  byte[] body() {
    var b = body;
    if (b == null) {
      body = b = encoding.body(payloads);
    }
    return b;
  }

  /** The page as one SSE batch (data event text, where to continue, state). */
  SseBatch<P> batch() {
    var b = batch;
    if (b == null) {
      var text = payloads.isEmpty() ? null : encoding.eventText(payloads);
      batch = b = new SseBatch<>(true, text, next, nextOffset, upToDate, closed);
    }
    return b;
  }
}
