package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamFrame;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamSpec;
import io.tributary.api.NamedStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

/** The protocol's operations on named streams, each mapped onto one {@link NamedStreamStore} call. */
final class NamedStreamEndpoint {
  /** Catch-up data that is not at an open stream's tail never changes, so caches may keep it. */
  static final String CACHEABLE = "public, max-age=60, stale-while-revalidate=300";

  private final NamedStreamStore store;
  private final DurableStreamsConfig config;
  private final LongSupplier clock;

  NamedStreamEndpoint(NamedStreamStore store, DurableStreamsConfig config, LongSupplier clock) {
    this.store = store;
    this.config = config;
    this.clock = clock;
  }

  static String offset(long pos) {
    return DsOffset.format(0, pos);
  }

  // ------------------------------------------------------------------ PUT

  HttpResponse create(HttpRequest req) {
    var path = req.path();
    var params = CreateParams.parse(req.headers());
    var contentType = params.contentType();
    if (contentType == null && params.fork() == null) {
      contentType = CreateParams.DEFAULT_CONTENT_TYPE;
    }
    var spec =
        new NamedStreamSpec(
            contentType,
            params.ttlSeconds(),
            params.expiresAtMs(),
            params.closed(),
            initialMessages(req.body(), contentType, params),
            params.fork());
    var result = store.create(path, spec);
    return switch (result.status()) {
      case CREATED -> {
        var headers = describe(result.info()).set("Location", Locations.of(req));
        yield DsResponses.empty(201, headers);
      }
      case EXISTS -> DsResponses.empty(200, describe(result.info()));
      case CONFLICT -> DsResponses.error(409, "STREAM_CONFLICT", result.detail());
      case SOURCE_NOT_FOUND -> DsResponses.error(404, "SOURCE_NOT_FOUND", result.detail());
      case SOURCE_GONE -> DsResponses.error(409, "SOURCE_GONE", result.detail());
      case CONTENT_TYPE_MISMATCH -> DsResponses.error(409, "CONTENT_TYPE_MISMATCH", result.detail());
      case BAD_FORK_OFFSET -> DsResponses.error(400, "BAD_FORK_OFFSET", result.detail());
    };
  }

  private List<byte[]> initialMessages(byte[] body, String contentType, CreateParams params) {
    if (body.length == 0) {
      return List.of();
    }
    boolean json;
    if (contentType != null) {
      json = NamedStreamInfo.isJson(contentType);
    } else {
      // a fork without Content-Type takes its source's, which decides how to read the body
      var source = store.head(params.fork().sourcePath());
      json = source.status() == NamedStreamRead.Status.OK && source.info().json();
    }
    return json ? JsonMessages.ofCreate(body) : List.of(body);
  }

  /** Content type, tail and closed state, as create answers carry them. */
  private static HttpHeaders describe(NamedStreamInfo info) {
    var headers =
        DsHeaders.base()
            .set("Content-Type", info.contentType())
            .set(DsHeaders.NEXT_OFFSET, offset(info.tailPos()));
    if (info.closed()) {
      headers.set(DsHeaders.CLOSED, "true");
    }
    return headers;
  }

  // ------------------------------------------------------------------ POST

  HttpResponse append(HttpRequest req) {
    var path = req.path();
    var params = AppendParams.parse(req.headers());
    var body = req.body();
    List<byte[]> messages;
    if (body.length == 0) {
      if (!params.close()) {
        throw DsException.badRequest(
            "empty body: send data to append, or Stream-Closed: true to close the stream");
      }
      messages = List.of();
    } else {
      if (params.contentType() == null) {
        throw DsException.badRequest("Content-Type is required when appending data");
      }
      messages = NamedStreamInfo.isJson(params.contentType()) ? JsonMessages.ofAppend(body) : List.of(body);
    }
    var append =
        new NamedStreamAppend(
            params.contentType(), messages, params.close(), params.streamSeq(), params.producer());
    var r = store.append(path, append);
    var producer = params.producer();
    return switch (r.status()) {
      case APPENDED -> {
        var headers = appended(r);
        if (producer != null) {
          producerHeaders(headers, r);
        }
        yield DsResponses.empty(producer != null && !messages.isEmpty() ? 200 : 204, headers);
      }
      case DUPLICATE -> DsResponses.empty(204, producerHeaders(appended(r), r));
      case ALREADY_CLOSED -> DsResponses.empty(204, appended(r));
      case NOT_FOUND -> DsResponses.notFound(path);
      case GONE -> DsResponses.gone(path);
      case CLOSED -> {
        var e = DsResponses.error(409, "STREAM_CLOSED", "the stream is closed and takes no more data");
        e.headers().set(DsHeaders.CLOSED, "true").set(DsHeaders.NEXT_OFFSET, offset(r.nextPos()));
        yield e;
      }
      case CONTENT_TYPE_MISMATCH ->
          DsResponses.error(
              409, "CONTENT_TYPE_MISMATCH", "Content-Type does not match the stream's content type");
      case STREAM_SEQ_CONFLICT ->
          DsResponses.error(
              409, "SEQUENCE_CONFLICT", "Stream-Seq must be greater than the last one (byte-wise)");
      case STALE_EPOCH -> {
        var e = DsResponses.error(403, "STALE_EPOCH", "a newer producer epoch has been seen");
        e.headers().set(DsHeaders.PRODUCER_EPOCH, Long.toString(r.producerEpoch()));
        yield e;
      }
      case EPOCH_SEQ_NOT_ZERO ->
          DsResponses.error(400, "BAD_REQUEST", "a new producer epoch must start at Producer-Seq 0");
      case SEQUENCE_GAP -> {
        var e =
            DsResponses.error(
                409, "SEQUENCE_GAP", "expected Producer-Seq " + r.producerSeq() + ", got " + producer.seq());
        e.headers()
            .set(DsHeaders.PRODUCER_EXPECTED_SEQ, Long.toString(r.producerSeq()))
            .set(DsHeaders.PRODUCER_RECEIVED_SEQ, Long.toString(producer.seq()));
        yield e;
      }
    };
  }

  private static HttpHeaders appended(NamedStreamAppendResult r) {
    var headers = DsHeaders.base().set(DsHeaders.NEXT_OFFSET, offset(r.nextPos()));
    if (r.closed()) {
      headers.set(DsHeaders.CLOSED, "true");
    }
    return headers;
  }

  private static HttpHeaders producerHeaders(HttpHeaders headers, NamedStreamAppendResult r) {
    return headers
        .set(DsHeaders.PRODUCER_EPOCH, Long.toString(r.producerEpoch()))
        .set(DsHeaders.PRODUCER_SEQ, Long.toString(r.producerSeq()));
  }

  // ------------------------------------------------------------------ GET

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
      case LONG_POLL -> longPoll(req, after, params.cursor());
      case SSE -> sse(path, after, params.cursor());
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
      return DsResponses.error(503, "UNAVAILABLE", "the server is shutting down");
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
    headers.set("Cache-Control", cacheControl(r));
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
    var headers =
        DsHeaders.base().set("Content-Type", "text/event-stream").set("Cache-Control", "no-cache");
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
    var session = new SseSession<>(source, batch(first, encoding), config, clock, cursor);
    return new HttpResponse.Streaming(200, headers, session::writeTo);
  }

  private static SseBatch<Long> batch(NamedStreamRead r, PayloadEncoding encoding) {
    var text = r.frames().isEmpty() ? null : encoding.eventText(payloads(r.frames()));
    return new SseBatch<>(
        true, text, r.nextPos(), offset(r.nextPos()), r.upToDate(), r.info().closed());
  }

  private static HttpHeaders dataHeaders(NamedStreamRead r) {
    var headers =
        DsHeaders.base()
            .set("Content-Type", r.info().contentType())
            .set(DsHeaders.NEXT_OFFSET, offset(r.nextPos()));
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

  // ------------------------------------------------------------------ HEAD, DELETE

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

  HttpResponse delete(HttpRequest req) {
    return switch (store.delete(req.path())) {
      case DELETED -> DsResponses.empty(204, DsHeaders.base());
      case NOT_FOUND -> DsResponses.notFound(req.path());
      case GONE -> DsResponses.gone(req.path());
    };
  }
}
