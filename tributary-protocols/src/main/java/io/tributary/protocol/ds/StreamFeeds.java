package io.tributary.protocol.ds;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The running {@link StreamFeed}s, one per stream with live readers, their keep-alive {@link
 * FeedTicker}, and the count of store reads the live read path makes (exposed as a metric, so the
 * cost per reader can be watched).
 */
final class StreamFeeds {
  private final ConcurrentHashMap<String, StreamFeed<?>> feeds = new ConcurrentHashMap<>();
  private final LongAdder reads = new LongAdder();
  private final BooleanSupplier draining;
  private final FeedTicker ticker;

  /** @param keepAlive the longest an SSE response may stay silent (the feeds' tick interval) */
  StreamFeeds(BooleanSupplier draining, Duration keepAlive) {
    this.draining = draining;
    this.ticker = new FeedTicker(feeds.values(), keepAlive);
  }

  /** The running feed of a stream, counted in for the caller (release it); null when none runs. */
  @SuppressWarnings("unchecked") // one key names one stream, always of one kind
  <P> StreamFeed<P> existing(String key) {
    var feed = (StreamFeed<P>) feeds.get(key);
    return feed != null && feed.retain() ? feed : null;
  }

  /**
   * The feed of the stream a reader has just read up to its tail, started if none runs, counted in
   * for the caller (release it); null when the page may not be shared (a TTL stream, a read that
   * did not reach the tail, a closed stream) or the server is shutting down.
   */
  @SuppressWarnings("unchecked")
  <P> StreamFeed<P> join(StreamRef<P> ref, DsPage<P> page) {
    if (!page.shareable() || !page.upToDate() || page.closed() || draining()) {
      return null;
    }
    while (true) {
      var created = new StreamFeed<?>[1];
      var feed =
          (StreamFeed<P>)
              feeds.computeIfAbsent(ref.key(), k -> created[0] = new StreamFeed<>(ref, page, this));
      if (feed.retain()) {
        if (feed == created[0]) {
          feed.start();
          ticker.ensureRunning();
        }
        return feed;
      }
      feeds.remove(ref.key(), feed);
    }
  }

  /** The longest an SSE reader parked on a feed waits for the feed's next keep-alive tick. */
  long tickWithinNanos() {
    return ticker.tickWithinNanos();
  }

  void ended(StreamFeed<?> feed) {
    feeds.remove(feed.key(), feed);
  }

  boolean draining() {
    return draining.getAsBoolean();
  }

  /** Wakes every reader waiting on a feed (shutdown: they answer at once). */
  void wakeAll() {
    feeds.values().forEach(StreamFeed::poke);
  }

  /** Counts one store read (or wait) of the live read path. */
  void counted() {
    reads.increment();
  }

  /** Store reads and waits the live read path has made so far. */
  long reads() {
    return reads.sum();
  }

  /** Streams with a running feed. */
  int size() {
    return feeds.size();
  }

  /** Tells the store calls of {@code ref} to the count. */
  <P> StreamRef<P> counting(StreamRef<P> ref) {
    return new StreamRef<>() {
      @Override
      public String key() {
        return ref.key();
      }

      @Override
      public P position(DsOffset offset) {
        return ref.position(offset);
      }

      @Override
      public DsPage<P> read(P after, boolean fromStart) {
        counted();
        return ref.read(after, fromStart);
      }

      @Override
      public DsPage<P> await(P after, boolean fromStart, Duration wait) throws InterruptedException {
        counted();
        return ref.await(after, fromStart, wait);
      }

      @Override
      public Object etagPosition(P position) {
        return ref.etagPosition(position);
      }
    };
  }
}
