package io.tributary.protocol.ds;

import io.tributary.protocol.HttpResponse;
import java.util.concurrent.locks.Condition;
import java.util.function.Function;

/**
 * An SSE reader as its stream's {@link StreamFeed} sees it while the reader waits at the tail.
 * When the reader's output can be written without blocking ({@link
 * HttpResponse.EventSink#writeAsync}), the feed writes new pages and the {@link FeedTicker}
 * writes keep-alives to it directly, and the reader's thread sleeps through them; otherwise (or
 * when a write is still under way as the next page comes) the reader is woken to write for
 * itself. Either way one write at a time goes to the client, in the stream's order.
 *
 * <p>All fields but the final ones are guarded by the feed's lock.
 *
 * @param <P> the stream kind's position type
 */
final class ParkedSse<P> {
  final HttpResponse.EventSink sink;
  final Function<SseBatch<P>, byte[]> encode;
  final boolean async;
  long deadlineNanos;
  /** Where the reader stands: moved on by every page written for it. */
  P position;
  /** A write for the reader is under way; the reader itself must not write until it is done. */
  boolean writing;
  /** A write failed: the client is gone. */
  boolean failed;
  /** The reader must look at its state (a page it must write itself, a stop, its deadline). */
  boolean woken;
  /** The reader sits in its feed's parked set. */
  boolean parked;
  Condition wake;

  /**
   * @param sink the reader's output
   * @param encode the data and control events of a batch, with this reader's cursor
   */
  ParkedSse(HttpResponse.EventSink sink, Function<SseBatch<P>, byte[]> encode) {
    this.sink = sink;
    this.encode = encode;
    this.async = sink.canWriteAsync();
  }
}
