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
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
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
  private static final String JSON_TYPE = "application/json";

  private final StreamStore store;
  private final DsReadPath reads;

  AttemptStreamEndpoint(StreamStore store, DsReadPath reads) {
    this.store = store;
    this.reads = reads;
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
      case "GET" -> reads.read(req, ReadParams.parse(req), new AttemptStream(target));
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
                new ReadRefused(
                    DsResponses.error(
                        404,
                        "STREAM_NOT_FOUND",
                        "execution " + t.executionId() + " has no attempt " + t.attemptIndex())));
  }

  /**
   * An attempt stream on the shared read path. Its first read checks that the attempt exists
   * (404 otherwise); an offset is the (ms, seq) of a frame's entry id.
   */
  private final class AttemptStream implements StreamRef<EntryId> {
    private final AttemptRef target;
    private volatile boolean exists;

    AttemptStream(AttemptRef target) {
      this.target = target;
    }

    @Override
    public String key() {
      return tag(target);
    }

    @Override
    public EntryId position(DsOffset offset) {
      return switch (offset) {
        case DsOffset.Start s -> EntryId.ZERO;
        case DsOffset.Now n -> null;
        case DsOffset.At at -> entryId(at);
      };
    }

    @Override
    public DsPage<EntryId> read(EntryId after, boolean fromStart) {
      if (after == null) {
        var head = head(target);
        exists = true;
        return new DsPage<>(
            tag(target), JSON_TYPE, PayloadEncoding.JSON, List.of(), head.lastId(), head.lastId(),
            offset(head.lastId()), true, head.isClosed(), true);
      }
      return readAfter(after, fromStart, 0);
    }

    @Override
    public DsPage<EntryId> await(EntryId after, boolean fromStart, Duration wait) {
      return readAfter(after, fromStart, wait.toMillis());
    }

    @Override
    public Object etagPosition(EntryId position) {
      return offset(position);
    }

    /**
     * Reads after a position. Retention may have deleted durable frames after it: then a read
     * from the start ({@code -1}) begins at the oldest complete position instead, and a read from
     * a minted offset is refused with 410, because answering it would hide the gap.
     */
    private DsPage<EntryId> readAfter(EntryId after, boolean fromStart, long blockMs) {
      if (!exists) {
        head(target);
        exists = true;
      }
      var frames = tail(target, after, blockMs);
      // a trim between two queries moves the watermark again; each retry starts past the last one
      for (int attempt = 0; fromStart && frames.droppedAfter(after) && attempt < START_RETRIES; attempt++) {
        after = frames.durableTrimmedThrough();
        frames = tail(target, after, blockMs);
      }
      if (frames.droppedAfter(after)) {
        throw new ReadRefused(offsetGone(after, frames.durableTrimmedThrough()));
      }
      var list = frames.frames();
      var next = list.isEmpty() ? after : list.getLast().id();
      return new DsPage<>(
          tag(target), JSON_TYPE, PayloadEncoding.JSON, messages(frames), after, next, offset(next),
          list.size() < FRAMES_PER_READ, frames.isClosed(), true);
    }
  }

  private HttpResponse head(StreamHead head) {
    var headers =
        DsHeaders.base()
            .set("Content-Type", JSON_TYPE)
            .set(DsHeaders.NEXT_OFFSET, offset(head.lastId()))
            .set(DsHeaders.UP_TO_DATE, "true")
            .set("Cache-Control", "no-store");
    if (head.isClosed()) {
      headers.set(DsHeaders.CLOSED, "true");
    }
    return DsResponses.empty(200, headers);
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
   * The answer to a read from an offset whose following frames retention has deleted: 410 with
   * the earliest offset a read is complete from, in {@value #EARLIEST_OFFSET} and in the error body.
   */
  private static HttpResponse.Full offsetGone(EntryId requested, EntryId earliest) {
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
