package io.tributary.protocol.ds;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The Durable Streams read ({@code GET}) of a stream of either kind: catch-up with entity tags,
 * long-poll and SSE. Live reads of a stream share its reads through a {@link StreamFeed} when the
 * stream allows it (see {@link DsPage#shareable()}), and read for themselves otherwise.
 */
final class DsReadPath {
  /** Catch-up data that is not at an open stream's tail never changes, so caches may keep it. */
  static final String CACHEABLE = "public, max-age=60, stale-while-revalidate=300";

  private final DurableStreamsConfig config;
  private final LongSupplier clock;
  private final LiveReaders live;
  private final StreamFeeds feeds;
  private final BooleanSupplier storageReachable;

  /**
   * @param storageReachable false while the storage is known to be down: a new live read then
   *     goes to the store (and is refused with 503 like every other request) instead of being
   *     answered from a feed's memory
   */
  DsReadPath(
      DurableStreamsConfig config,
      LongSupplier clock,
      LiveReaders live,
      StreamFeeds feeds,
      BooleanSupplier storageReachable) {
    this.storageReachable = storageReachable;
    this.config = config;
    this.clock = clock;
    this.live = live;
    this.feeds = feeds;
  }

  /** Answers a read of {@code stream} as {@code params} asks; refusals become their answers. */
  <P> HttpResponse read(HttpRequest req, ReadParams params, StreamRef<P> stream) {
    var ref = feeds.counting(stream);
    try {
      P position = ref.position(params.offset());
      boolean fromStart = params.offset() instanceof DsOffset.Start;
      return switch (params.live()) {
        case NONE -> catchUp(req, ref, position, fromStart);
        case LONG_POLL -> live.serve(() -> longPoll(ref, position, fromStart, params.cursor()));
        case SSE -> live.serve(() -> sse(ref, position, fromStart, params.cursor()));
      };
    } catch (ReadRefused refused) {
      return refused.response();
    }
  }

  private <P> HttpResponse catchUp(HttpRequest req, StreamRef<P> ref, P position, boolean fromStart) {
    if (position == null) {
      var page = ref.read(null, false);
      return new HttpResponse.Full(200, headers(page).set("Cache-Control", "no-store"), page.body());
    }
    var page = ref.read(position, fromStart);
    var headers = headers(page);
    var etag = etag(ref, page);
    headers.set("ETag", etag).set("Cache-Control", cacheControl(page));
    if (ETags.matches(req.headers().first("If-None-Match"), etag)) {
      return DsResponses.empty(304, headers);
    }
    return new HttpResponse.Full(200, headers, page.body());
  }

  private <P> HttpResponse longPoll(StreamRef<P> ref, P position, boolean fromStart, String cursor) {
    var timeout = config.longPollTimeout();
    StreamFeed<P> feed = runningFeed(ref);
    try {
      DsPage<P> page = null;
      P from = position;
      if (feed != null) {
        from = from == null ? feed.tail() : from;
        page = feed.next(from, System.nanoTime() + timeout.toNanos(), live::draining, null);
      }
      if (page == null) {
        if (from == null) {
          var now = ref.read(null, false);
          if (now.closed()) {
            page = now;
          }
          from = now.next();
        }
        if (page == null) {
          page = ref.await(from, fromStart, timeout);
        }
        if (feed == null) {
          // the client's next long-poll (from this page's end) finds the feed running
          feed = feeds.join(ref, page);
        }
      }
      var headers = headers(page).set(DsHeaders.CURSOR, DsCursor.next(clock.getAsLong(), cursor));
      if (page.isEmpty()) {
        headers.set(DsHeaders.UP_TO_DATE, "true").set("Cache-Control", "no-cache");
        return DsResponses.empty(204, headers);
      }
      headers.set("Cache-Control", cacheControl(page)).set("ETag", etag(ref, page));
      return new HttpResponse.Full(200, headers, page.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DsResponses.unavailable("the server is shutting down");
    } finally {
      if (feed != null) {
        feed.release();
      }
    }
  }

  private <P> HttpResponse sse(StreamRef<P> ref, P position, boolean fromStart, String cursor) {
    var source = new LiveSource<>(ref, runningFeed(ref));
    boolean handedOver = false;
    try {
      var first = source.first(position, fromStart);
      var headers = DsHeaders.sse();
      if (first.encoding() == PayloadEncoding.BASE64) {
        headers.set(DsHeaders.SSE_DATA_ENCODING, "base64");
      }
      var session =
          new SseSession<>(source, first.batch(), config, clock, cursor, live::draining, source::gone);
      var streaming =
          new HttpResponse.Streaming(
              200,
              headers,
              sink -> {
                try {
                  source.attach(sink, batch -> batch.events(DsCursor.next(clock.getAsLong(), cursor)));
                  sink.onClientGone(source::clientGone);
                  session.writeTo(sink);
                } finally {
                  source.close();
                }
              });
      handedOver = true;
      return streaming;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DsResponses.unavailable("the server is shutting down");
    } finally {
      if (!handedOver) {
        source.close();
      }
    }
  }

  private <P> StreamFeed<P> runningFeed(StreamRef<P> ref) {
    return storageReachable.getAsBoolean() ? feeds.existing(ref.key()) : null;
  }

  /**
   * What one SSE session reads from: the stream's feed while it is caught up, the store directly
   * while it is not (it joins the feed once a read reaches the tail).
   */
  private final class LiveSource<P> implements SseSession.Source<P> {
    private final StreamRef<P> ref;
    private volatile StreamFeed<P> feed;
    private volatile boolean gone;
    private volatile ParkedSse<P> parked;
    private boolean closed;

    LiveSource(StreamRef<P> ref, StreamFeed<P> feed) {
      this.ref = ref;
      this.feed = feed;
    }

    DsPage<P> first(P position, boolean fromStart) throws InterruptedException {
      var f = feed;
      if (f != null) {
        var page = f.next(position == null ? f.tail() : position, System.nanoTime(), () -> true, null);
        if (page != null) {
          return page;
        }
      }
      var page = ref.read(position, fromStart);
      join(page);
      return page;
    }

    @Override
    public SseBatch<P> after(P position, Duration wait, long deadlineNanos) throws InterruptedException {
      var f = feed;
      if (f != null) {
        // parked, the reader waits for the feed (which writes its pages and keep-alives for it)
        // until it must act itself, at the latest by the session's deadline
        var p = wait.isZero() ? null : parked;
        long now = System.nanoTime();
        long until = wait.isZero() ? now : p == null ? now + wait.toNanos() : deadlineNanos;
        var page = f.next(position, until, this::stopWaiting, p);
        if (page != null) {
          return page.batch();
        }
        if (p != null) {
          position = p.position; // past what the feed wrote for it
        }
      }
      try {
        var page = wait.isZero() ? ref.read(position, false) : ref.await(position, false, wait);
        join(page);
        return page.batch();
      } catch (ReadRefused refused) {
        return SseBatch.unreadable();
      }
    }

    /** The session's output: from now on it can wait parked at its feed (see {@link ParkedSse}). */
    void attach(HttpResponse.EventSink sink, java.util.function.Function<SseBatch<P>, byte[]> encode) {
      parked = new ParkedSse<>(sink, encode);
    }

    private void join(DsPage<P> page) {
      if (feed == null && !closed) {
        feed = feeds.join(ref, page);
      }
    }

    private boolean stopWaiting() {
      return gone || live.draining();
    }

    boolean gone() {
      return gone;
    }

    void clientGone() {
      gone = true;
      var f = feed;
      var p = parked;
      if (f != null && p != null) {
        f.poke(p);
      }
    }

    void close() {
      closed = true;
      var f = feed;
      feed = null;
      if (f != null) {
        f.release();
      }
    }
  }

  private static <P> String etag(StreamRef<P> ref, DsPage<P> page) {
    return ETags.of(
        page.tag(), ref.etagPosition(page.after()), ref.etagPosition(page.next()), page.endOfStream());
  }

  private static HttpHeaders headers(DsPage<?> page) {
    var headers =
        DsHeaders.base()
            .set("Content-Type", page.contentType())
            .set(DsHeaders.NEXT_OFFSET, page.nextOffset());
    if (page.upToDate()) {
      headers.set(DsHeaders.UP_TO_DATE, "true");
    }
    if (page.endOfStream()) {
      headers.set(DsHeaders.CLOSED, "true");
    }
    return headers;
  }

  private static String cacheControl(DsPage<?> page) {
    return page.upToDate() && !page.closed() ? "no-cache" : CACHEABLE;
  }
}
