package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamSpec;
import io.tributary.api.NamedStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.util.List;

/**
 * The writing operations on named streams: create or fork ({@code PUT}), append or close ({@code
 * POST}) and delete, each one {@link NamedStreamStore} call.
 */
final class NamedStreamWrites {
  private final NamedStreamStore store;
  private final ProducerSequenceHold hold;

  NamedStreamWrites(NamedStreamStore store, ProducerSequenceHold hold) {
    this.store = store;
    this.hold = hold;
  }

  /**
   * {@code PUT}: 201 with {@code Location} for a new stream, 200 for an identical existing one,
   * 409 for a different one (or a soft-deleted URL); fork refusals are 404, 409 or 400.
   */
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
        var headers = NamedStreamReads.describe(result.info()).set("Location", Locations.of(req));
        yield DsResponses.empty(201, headers);
      }
      case EXISTS -> DsResponses.empty(200, NamedStreamReads.describe(result.info()));
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

  /**
   * {@code POST}: 204 for a plain append or close, 200 for a producer's append, 204 for a
   * producer's duplicate; refusals carry the headers a client needs to recover (the tail on a
   * closed stream, the current epoch, the expected sequence number).
   */
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
    var r = hold.append(path, append, store::append);
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
        e.headers().set(DsHeaders.CLOSED, "true").set(DsHeaders.NEXT_OFFSET, DsOffset.ofPosition(r.nextPos()));
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
    var headers = DsHeaders.base().set(DsHeaders.NEXT_OFFSET, DsOffset.ofPosition(r.nextPos()));
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

  /** {@code DELETE}: 204, 404 when absent, 410 when already deleted but kept for forks. */
  HttpResponse delete(HttpRequest req) {
    return switch (store.delete(req.path())) {
      case DELETED -> DsResponses.empty(204, DsHeaders.base());
      case NOT_FOUND -> DsResponses.notFound(req.path());
      case GONE -> DsResponses.gone(req.path());
    };
  }
}
