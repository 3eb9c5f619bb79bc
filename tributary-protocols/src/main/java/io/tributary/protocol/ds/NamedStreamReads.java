package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamFrame;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The reading operations on named streams: catch-up, long-poll and SSE ({@code GET}), and
 * metadata ({@code HEAD}).
 */
final class NamedStreamReads {
  private final NamedStreamStore store;
  private final DurableStreamsConfig config;
  private final DsReadPath reads;

  NamedStreamReads(NamedStreamStore store, DurableStreamsConfig config, DsReadPath reads) {
    this.store = store;
    this.config = config;
    this.reads = reads;
  }

  /** {@code GET}: catch-up, long-poll or SSE, as {@code params} asks. */
  HttpResponse read(HttpRequest req, ReadParams params) {
    return reads.read(req, params, new NamedRef(req.path()));
  }

  /**
   * A named stream on the shared read path, keyed by its path. Positions are byte offsets; a
   * stream replaced at the same path since this reference's first read is not found.
   */
  private final class NamedRef implements StreamRef<Long> {
    private final String path;
    private volatile long streamId = -1;

    NamedRef(String path) {
      this.path = path;
    }

    @Override
    public String key() {
      return path;
    }

    @Override
    public Long position(DsOffset offset) {
      return switch (offset) {
        case DsOffset.Start s -> 0L;
        case DsOffset.Now n -> null;
        // named-stream offsets always have a zero first part; anything else lies past every tail
        case DsOffset.At at -> at.hi() == 0 ? at.lo() : Long.MAX_VALUE;
      };
    }

    @Override
    public DsPage<Long> read(Long after, boolean fromStart) {
      return page(store.read(path, after == null ? NamedStreamStore.TAIL : after, config.maxReadBytes()), after);
    }

    @Override
    public DsPage<Long> await(Long after, boolean fromStart, Duration wait) throws InterruptedException {
      return page(store.await(path, after, config.maxReadBytes(), wait), after);
    }

    @Override
    public Object etagPosition(Long position) {
      return position;
    }

    private DsPage<Long> page(NamedStreamRead r, Long after) {
      var failure = failure(r, path);
      if (failure != null) {
        throw new ReadRefused(failure);
      }
      var info = r.info();
      if (streamId < 0) {
        streamId = info.id();
      } else if (streamId != info.id()) {
        throw new ReadRefused(DsResponses.notFound(path));
      }
      return new DsPage<>(
          "n" + info.id(),
          info.contentType(),
          PayloadEncoding.of(info.contentType()),
          payloads(r.frames()),
          after == null ? r.nextPos() : after,
          r.nextPos(),
          DsOffset.ofPosition(r.nextPos()),
          r.upToDate(),
          info.closed(),
          info.ttlSeconds() == null && info.expiresAtMs() == null);
    }
  }

  static List<byte[]> payloads(List<NamedStreamFrame> frames) {
    return frames.stream().map(NamedStreamFrame::payload).toList();
  }

  /** The error answer for a read that found no readable stream, or null when it did. */
  static HttpResponse.Full failure(NamedStreamRead r, String path) {
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
