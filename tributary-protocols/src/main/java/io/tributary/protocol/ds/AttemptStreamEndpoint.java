package io.tributary.protocol.ds;

import io.tributary.api.AttemptRef;
import io.tributary.api.EntryId;
import io.tributary.api.ExecutionId;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamFrame;
import io.tributary.api.StreamFrames;
import io.tributary.api.StreamHead;
import io.tributary.api.StreamStore;
import io.tributary.api.TailVisibility;
import io.tributary.api.ValidationException;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * FlowFabric attempt streams, read-only, as Durable Streams JSON streams at {@code
 * /v1/stream/executions/{executionId}/attempts/{index}}. Each frame is one JSON message; an
 * offset is the (ms, seq) of the frame's entry id; a closed attempt is a closed stream. Appends go
 * through the attempt's lease on the REST API, so writes here are refused with 405.
 */
final class AttemptStreamEndpoint {
  static final String PREFIX = "/v1/stream/executions/";
  static final String READ_METHODS = "GET, HEAD, OPTIONS";
  private static final String ATTEMPTS = "/attempts/";
  /** Frames per response; the store caps reads at {@link StreamStore#READ_HARD_CAP}. */
  static final int FRAMES_PER_READ = 1_000;
  /** Start reads re-read this often when trims keep moving the watermark, then answer 410. */
  private static final int START_RETRIES = 3;
  static final String EARLIEST_OFFSET = "Stream-Earliest-Offset";

  private static final JsonMapper MAPPER = JsonMapper.shared();
  private static final String SUMMARY_MODE = "summary";

  private final StreamStore store;
  private final DurableStreamsConfig config;
  private final LongSupplier clock;
  private final LiveReaders live;

  AttemptStreamEndpoint(
      StreamStore store, DurableStreamsConfig config, LongSupplier clock, LiveReaders live) {
    this.live = live;
    this.store = store;
    this.config = config;
    this.clock = clock;
  }

  static boolean owns(String path) {
    return path.startsWith(PREFIX);
  }

  /** The attempt stream's part of its ETags. */
  private static String tag(AttemptRef t) {
    return "a" + t.executionId().uuid() + "/" + t.attemptIndex();
  }

  HttpResponse handle(HttpRequest req) {
    if (store == null) {
      return DsResponses.error(404, "STREAM_NOT_FOUND", "attempt streams are not served here");
    }
    var target = target(req.path());
    return switch (req.method()) {
      case "GET" -> {
        var params = ReadParams.parse(req);
        try {
          yield read(req, target, head(target), params);
        } catch (OffsetGone gone) {
          yield gone.response();
        }
      }
      case "HEAD" -> head(head(target));
      default -> {
        var e =
            DsResponses.error(
                405,
                "READ_ONLY_STREAM",
                "attempt streams are read-only here; append with the attempt's lease: POST"
                    + " /v1/executions/{id}/attempts/{idx}/stream with the Tributary-Handle header");
        e.headers().set("Allow", READ_METHODS);
        yield e;
      }
    };
  }

  private static AttemptRef target(String path) {
    var rest = path.substring(PREFIX.length());
    int at = rest.lastIndexOf(ATTEMPTS);
    if (at <= 0) {
      throw new DsException(
          404, "STREAM_NOT_FOUND", "attempt streams live at " + PREFIX + "{executionId}/attempts/{index}");
    }
    var index = rest.substring(at + ATTEMPTS.length());
    if (index.isEmpty() || index.length() > 18 || !index.chars().allMatch(Character::isDigit)) {
      throw DsException.badRequest("attempt index must be a non-negative integer, not '" + index + "'");
    }
    // adapters hand over decoded paths; an id whose braces arrive still escaped is decoded here
    var id = HeaderValues.percentDecode(rest.substring(0, at));
    try {
      return new AttemptRef(ExecutionId.parse(id), Long.parseLong(index));
    } catch (ValidationException e) {
      throw DsException.badRequest(e.detail());
    }
  }

  /** The attempt's head; an attempt that was never started is not a stream (404). */
  private StreamHead head(AttemptRef t) {
    return store
        .head(t.executionId(), t.attemptIndex())
        .orElseThrow(
            () ->
                new DsException(
                    404,
                    "STREAM_NOT_FOUND",
                    "execution " + t.executionId() + " has no attempt " + t.attemptIndex()));
  }

  private HttpResponse read(HttpRequest req, AttemptRef t, StreamHead head, ReadParams params) {
    var after =
        switch (params.offset()) {
          case DsOffset.Start s -> EntryId.ZERO;
          case DsOffset.Now n -> head.lastId();
          case DsOffset.At at -> entryId(at);
        };
    boolean fromStart = params.offset() instanceof DsOffset.Start;
    return switch (params.live()) {
      case NONE -> catchUp(req, t, head, after, fromStart, params.offset() instanceof DsOffset.Now);
      case LONG_POLL -> live.serve(() -> longPoll(t, after, fromStart, params.cursor()));
      case SSE -> live.serve(() -> sse(t, after, fromStart, params.cursor()));
    };
  }

  /** Frames read after a position, and that position (the retention watermark for a start read). */
  private record Read(EntryId after, StreamFrames frames) {}

  /**
   * Reads after a position. Retention may have deleted durable frames after it: then a read from
   * the start ({@code -1}) begins at the oldest complete position instead, and a read from a
   * minted offset is refused with 410, because answering it would hide the gap.
   *
   * @throws OffsetGone when frames after {@code after} were dropped and the read is not a start read
   */
  private Read readAfter(AttemptRef t, EntryId after, boolean fromStart, long blockMs) {
    var frames = tail(t, after, blockMs);
    // a trim between two queries moves the watermark again; each retry starts past the last one
    for (int attempt = 0; fromStart && frames.droppedAfter(after) && attempt < START_RETRIES; attempt++) {
      after = frames.durableTrimmedThrough();
      frames = tail(t, after, blockMs);
    }
    if (frames.droppedAfter(after)) {
      throw new OffsetGone(after, frames.durableTrimmedThrough());
    }
    return new Read(after, frames);
  }

  private HttpResponse catchUp(
      HttpRequest req, AttemptRef t, StreamHead head, EntryId from, boolean fromStart, boolean fromNow) {
    if (fromNow) {
      var headers = headers(from, true, head.isClosed()).set("Cache-Control", "no-store");
      return new HttpResponse.Full(200, headers, JsonMessages.join(List.of()));
    }
    var read = readAfter(t, from, fromStart, 0);
    var after = read.after();
    var frames = read.frames();
    var page = Page.of(frames, after);
    var headers = headers(page.next(), page.upToDate(), page.endOfStream());
    var etag = ETags.of(tag(t), offset(after), offset(page.next()), page.endOfStream());
    headers
        .set("ETag", etag)
        .set(
            "Cache-Control",
            page.upToDate() && !frames.isClosed() ? "no-cache" : NamedStreamReads.CACHEABLE);
    if (ETags.matches(req.headers().first("If-None-Match"), etag)) {
      return DsResponses.empty(304, headers);
    }
    return new HttpResponse.Full(200, headers, JsonMessages.join(messages(frames)));
  }

  private HttpResponse longPoll(AttemptRef t, EntryId from, boolean fromStart, String cursor) {
    var read = readAfter(t, from, fromStart, config.longPollTimeout().toMillis());
    var after = read.after();
    var frames = read.frames();
    var page = Page.of(frames, after);
    var headers =
        headers(page.next(), page.upToDate(), page.endOfStream())
            .set(DsHeaders.CURSOR, DsCursor.next(clock.getAsLong(), cursor));
    if (frames.frames().isEmpty()) {
      headers.set("Cache-Control", "no-cache");
      return DsResponses.empty(204, headers);
    }
    headers
        .set("Cache-Control", page.upToDate() && !frames.isClosed() ? "no-cache" : NamedStreamReads.CACHEABLE)
        .set("ETag", ETags.of(tag(t), offset(after), offset(page.next()), page.endOfStream()));
    return new HttpResponse.Full(200, headers, JsonMessages.join(messages(frames)));
  }

  private HttpResponse sse(AttemptRef t, EntryId from, boolean fromStart, String cursor) {
    var read = readAfter(t, from, fromStart, 0);
    var first = batch(read.frames(), read.after());
    // a reader that falls behind the durable cap mid-stream gets its response ended; it
    // reconnects from its last offset and is told (410) where the kept frames begin
    SseSession.Source<EntryId> source =
        (position, wait) -> {
          var frames = tail(t, position, wait.toMillis());
          return frames.droppedAfter(position) ? SseBatch.unreadable() : batch(frames, position);
        };
    var session = new SseSession<>(source, first, config, clock, cursor, live::draining);
    var headers = DsHeaders.sse();
    return new HttpResponse.Streaming(200, headers, session::writeTo);
  }

  private HttpResponse head(StreamHead head) {
    var headers =
        headers(head.lastId(), true, head.isClosed()).set("Cache-Control", "no-store");
    return DsResponses.empty(200, headers);
  }

  private static HttpHeaders headers(EntryId next, boolean upToDate, boolean closed) {
    var headers =
        DsHeaders.base()
            .set("Content-Type", "application/json")
            .set(DsHeaders.NEXT_OFFSET, offset(next));
    if (upToDate) {
      headers.set(DsHeaders.UP_TO_DATE, "true");
    }
    if (closed) {
      headers.set(DsHeaders.CLOSED, "true");
    }
    return headers;
  }

  private static SseBatch<EntryId> batch(StreamFrames frames, EntryId after) {
    var page = Page.of(frames, after);
    var text =
        frames.frames().isEmpty()
            ? null
            : new String(JsonMessages.join(messages(frames)), StandardCharsets.UTF_8);
    return new SseBatch<>(true, text, page.next(), offset(page.next()), page.upToDate(), frames.isClosed());
  }

  /** Where a read ended and whether it reached the end of what was there. */
  private record Page(EntryId next, boolean upToDate, boolean closed) {
    static Page of(StreamFrames frames, EntryId after) {
      var list = frames.frames();
      var next = list.isEmpty() ? after : list.getLast().id();
      return new Page(next, list.size() < FRAMES_PER_READ, frames.isClosed());
    }

    boolean endOfStream() {
      return upToDate && closed;
    }
  }

  private StreamFrames tail(AttemptRef t, EntryId after, long blockMs) {
    long block = Math.clamp(blockMs, 0, StreamStore.MAX_TAIL_BLOCK_MS);
    return store.tail(
        t.executionId(), t.attemptIndex(), StreamCursor.at(after), block, FRAMES_PER_READ, TailVisibility.ALL);
  }

  private static EntryId entryId(DsOffset.At at) {
    try {
      return new EntryId(at.hi(), at.lo());
    } catch (ValidationException e) {
      throw DsException.badRequest("offset is not a position of an attempt stream: " + e.detail());
    }
  }

  static String offset(EntryId id) {
    return DsOffset.format(id.ms(), id.seq());
  }

  private static List<byte[]> messages(StreamFrames frames) {
    return frames.frames().stream().map(AttemptStreamEndpoint::message).toList();
  }

  /**
   * One frame as a JSON message. A summary frame's payload (its merge patch) is the JSON value
   * itself, not a string holding JSON; other payloads are text, or base64 when not UTF-8.
   */
  static byte[] message(StreamFrame f) {
    var json =
        MAPPER.createObjectNode()
            .put("id", f.id().toString())
            .put("frame_type", f.frameType())
            .put("mode", f.mode())
            .put("ts", f.ts());
    var patch = f.mode().equals(SUMMARY_MODE) ? JsonMessages.valueOrNull(f.payload()) : null;
    if (patch != null) {
      json.set("payload", patch);
    } else if (f.isUtf8()) {
      json.put("payload", new String(f.payload(), StandardCharsets.UTF_8));
    } else {
      json.put("payload", Base64.getEncoder().encodeToString(f.payload())).put("encoding", "base64");
    }
    if (f.correlationId() != null) {
      json.put("correlation_id", f.correlationId());
    }
    if (f.summaryVersion() != null) {
      json.put("summary_version", f.summaryVersion());
    }
    if (f.ttlMs() != null) {
      json.put("ttl_ms", f.ttlMs());
    }
    return MAPPER.writeValueAsBytes(json);
  }

  /**
   * A read from an offset whose following frames retention has deleted: 410 with the earliest
   * offset a read is complete from, in {@value #EARLIEST_OFFSET} and in the error body.
   */
  private static final class OffsetGone extends RuntimeException {
    private final EntryId requested;
    private final EntryId earliest;

    OffsetGone(EntryId requested, EntryId earliest) {
      super(null, null, false, false);
      this.requested = requested;
      this.earliest = earliest;
    }

    HttpResponse response() {
      var message =
          "offset "
              + offset(requested)
              + " is no longer readable: retention keeps an attempt's newest durable frames and has"
              + " dropped frames after it; the earliest offset still kept is "
              + offset(earliest)
              + " (or read from -1)";
      var r = DsResponses.error(410, "OFFSET_GONE", message, "earliestOffset", offset(earliest));
      r.headers().set(EARLIEST_OFFSET, offset(earliest));
      return r;
    }
  }
}
