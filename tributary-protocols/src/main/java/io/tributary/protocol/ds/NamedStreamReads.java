package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamFrame;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The reading operations on named streams: catch-up, long-poll and SSE ({@code GET}), and
 * metadata ({@code HEAD}).
 */
final class NamedStreamReads {
  /** Catch-up data that is not at an open stream's tail never changes, so caches may keep it. */
  static final String CACHEABLE = "public, max-age=60, stale-while-revalidate=300";

  private final NamedStreamStore store;
  private final DurableStreamsConfig config;
  private final LongSupplier clock;
  private final LiveReaders live;

  NamedStreamReads(
      NamedStreamStore store, DurableStreamsConfig config, LongSupplier clock, LiveReaders live) {
    this.live = live;
    this.store = store;
    this.config = config;
    this.clock = clock;
  }

  /** {@code GET}: catch-up, long-poll or SSE, as {@code params} asks. */
  HttpResponse read(HttpRequest req, ReadParams params) {
    var path = req.path();
    long after =
        switch (params.offset()) {
          case DsOffset.Start s -> 0;
          case DsOffset.Now n -> NamedStreamStore.TAIL;
          // named-stream offsets always have a zero first part; anything else lies past every tail
          case DsOffset.At at -> at.hi() == 0 ? at.lo() : Long.MAX_VALUE;
        };
    return switch (params.live()) {
      case NONE -> catchUp(req, after);
      case LONG_POLL -> live.serve(() -> longPoll(req, after, params.cursor()));
      case SSE -> live.serve(() -> sse(path, after, params.cursor()));
    };
  }

  private HttpResponse catchUp(HttpRequest req, long after) {
    var path = req.path();
    var r = store.read(path, after, config.maxReadBytes());
    var failure = failure(r, path);
    if (failure != null) {
      return failure;
    }
    var headers = dataHeaders(r);
    var encoding = PayloadEncoding.of(r.info().contentType());
    if (after == NamedStreamStore.TAIL) {
      headers.set("Cache-Control", "no-store");
      return new HttpResponse.Full(200, headers, encoding.body(List.of()));
    }
    var etag = ETags.of("n" + r.info().id(), after, r.nextPos(), r.endOfStream());
    headers.set("ETag", etag).set("Cache-Control", cacheControl(r));
    if (ETags.matches(req.headers().first("If-None-Match"), etag)) {
      return DsResponses.empty(304, headers);
    }
    return new HttpResponse.Full(200, headers, encoding.body(payloads(r.frames())));
  }

  private HttpResponse longPoll(HttpRequest req, long after, String cursor) {
    var path = req.path();
    NamedStreamRead r;
    try {
      r = store.await(path, after, config.maxReadBytes(), config.longPollTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DsResponses.unavailable("the server is shutting down");
    }
    var failure = failure(r, path);
    if (failure != null) {
      return failure;
    }
    var headers = dataHeaders(r).set(DsHeaders.CURSOR, DsCursor.next(clock.getAsLong(), cursor));
    if (r.frames().isEmpty()) {
      headers.set(DsHeaders.UP_TO_DATE, "true").set("Cache-Control", "no-cache");
      return DsResponses.empty(204, headers);
    }
    headers
        .set("Cache-Control", cacheControl(r))
        .set("ETag", ETags.of("n" + r.info().id(), after, r.nextPos(), r.endOfStream()));
    var encoding = PayloadEncoding.of(r.info().contentType());
    return new HttpResponse.Full(200, headers, encoding.body(payloads(r.frames())));
  }

  private HttpResponse sse(String path, long after, String cursor) {
    var first = store.read(path, after, config.maxReadBytes());
    var failure = failure(first, path);
    if (failure != null) {
      return failure;
    }
    var encoding = PayloadEncoding.of(first.info().contentType());
    var headers = DsHeaders.sse();
    if (encoding == PayloadEncoding.BASE64) {
      headers.set(DsHeaders.SSE_DATA_ENCODING, "base64");
    }
    long streamId = first.info().id();
    SseSession.Source<Long> source =
        (from, wait) -> {
          var r =
              wait.isZero()
                  ? store.read(path, from, config.maxReadBytes())
                  : store.await(path, from, config.maxReadBytes(), wait);
          return r.status() == NamedStreamRead.Status.OK && r.info().id() == streamId
              ? batch(r, encoding)
              : SseBatch.unreadable();
        };
    var session = new SseSession<>(source, batch(first, encoding), config, clock, cursor, live::draining);
    return new HttpResponse.Streaming(200, headers, session::writeTo);
  }

  private static SseBatch<Long> batch(NamedStreamRead r, PayloadEncoding encoding) {
    var text = r.frames().isEmpty() ? null : encoding.eventText(payloads(r.frames()));
    return new SseBatch<>(
        true, text, r.nextPos(), DsOffset.ofPosition(r.nextPos()), r.upToDate(), r.info().closed());
  }

  private static HttpHeaders dataHeaders(NamedStreamRead r) {
    var headers =
        DsHeaders.base()
            .set("Content-Type", r.info().contentType())
            .set(DsHeaders.NEXT_OFFSET, DsOffset.ofPosition(r.nextPos()));
    if (r.upToDate()) {
      headers.set(DsHeaders.UP_TO_DATE, "true");
    }
    if (r.endOfStream()) {
      headers.set(DsHeaders.CLOSED, "true");
    }
    return headers;
  }

  private static String cacheControl(NamedStreamRead r) {
    return r.upToDate() && !r.info().closed() ? "no-cache" : CACHEABLE;
  }

  static List<byte[]> payloads(List<NamedStreamFrame> frames) {
    return frames.stream().map(NamedStreamFrame::payload).toList();
  }

  /** The error answer for a read that found no readable stream, or null when it did. */
  static HttpResponse failure(NamedStreamRead r, String path) {
    return switch (r.status()) {
      case OK -> null;
      case NOT_FOUND -> DsResponses.notFound(path);
      case GONE -> DsResponses.gone(path);
      case BEYOND_TAIL ->
          DsResponses.error(400, "OFFSET_OUT_OF_RANGE", "the offset lies past the stream's tail");
    };
  }

  /** {@code HEAD}: content type, tail, TTL or expiry, closed state; never cached. */
  HttpResponse head(HttpRequest req) {
    var r = store.head(req.path());
    var failure = failure(r, req.path());
    if (failure != null) {
      return failure;
    }
    var info = r.info();
    var headers = describe(info).set("Cache-Control", "no-store");
    if (info.ttlSeconds() != null) {
      headers.set(DsHeaders.TTL, Long.toString(info.ttlSeconds()));
    }
    if (info.expiresAtMs() != null) {
      headers.set(DsHeaders.EXPIRES_AT, Instant.ofEpochMilli(info.expiresAtMs()).toString());
    }
    return DsResponses.empty(200, headers);
  }

  /** Content type, tail and closed state, as create answers carry them. */
  static HttpHeaders describe(NamedStreamInfo info) {
    var headers =
        DsHeaders.base()
            .set("Content-Type", info.contentType())
            .set(DsHeaders.NEXT_OFFSET, DsOffset.ofPosition(info.tailPos()));
    if (info.closed()) {
      headers.set(DsHeaders.CLOSED, "true");
    }
    return headers;
  }
}
