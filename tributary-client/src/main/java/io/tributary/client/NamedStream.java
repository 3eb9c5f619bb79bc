package io.tributary.client;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;

/**
 * A named Durable Streams stream, e.g. {@code chat/42} at {@code /v1/stream/chat/42}: create,
 * append (plainly or as an idempotent {@link #producer producer}), read, follow, close, fork,
 * delete. Offsets are the server's opaque strings; {@code "-1"} is the start and {@code "now"}
 * the current end.
 */
public final class NamedStream {
  /** The offset before the first byte of any stream. */
  public static final String START = "-1";

  private final Transport transport;
  private final FollowSettings settings;
  private final String name;
  private final String path;

  NamedStream(Transport transport, FollowSettings settings, String name) {
    this.transport = transport;
    this.settings = settings;
    this.name = name;
    this.path = Wire.namedPath(name);
  }

  /** The stream's path on the server, e.g. {@code /v1/stream/chat/42}. */
  public String path() {
    return path;
  }

  /**
   * Creates the stream.
   *
   * @param contentType e.g. {@code application/json} (a stream of JSON messages) or {@code text/plain}
   * @param ttl idle time after which the stream expires, or null for none
   * @return true when created, false when an identical stream already existed
   * @throws ConflictException when a stream with another configuration exists there
   */
  public boolean create(String contentType, Duration ttl) {
    var headers = new LinkedHashMap<String, String>();
    headers.put("Content-Type", contentType);
    if (ttl != null) {
      headers.put("Stream-TTL", Long.toString(ttl.toSeconds()));
    }
    var response =
        transport.sendAndWait(
            new Transport.Call("PUT", path, null, headers, null), Transport.Repeat.ALWAYS);
    return response.statusCode() == 201;
  }

  /**
   * Appends {@code data} (for a JSON stream: one JSON value, or an array of messages) without a
   * producer: a retry after a lost answer could store it twice, so it is not retried then; use
   * {@link #producer} for exactly-once appends.
   *
   * @return the offset after the data
   */
  public String append(byte[] data) {
    var response =
        transport.sendAndWait(
            Transport.Call.post(path, data, Map.of("Content-Type", contentType())),
            Transport.Repeat.UNSENT_ONLY);
    return response.headers().firstValue("Stream-Next-Offset").orElse(null);
  }

  /** {@link #append(byte[])} of UTF-8 text. */
  public String append(String text) {
    return append(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An idempotent producer for this stream: its appends carry {@code (producerId, epoch, seq)},
   * so retries are stored once, and a newer epoch fences older writers. Default settings: {@link
   * Producer#DEFAULT_LINGER}, {@link Producer#DEFAULT_MAX_BATCH_BYTES}, {@link
   * Producer#DEFAULT_MAX_IN_FLIGHT}.
   *
   * @param producerId names the writer (stable across its restarts)
   * @param epoch this incarnation of the writer; a restarted writer uses a higher one
   */
  public Producer producer(String producerId, long epoch) {
    return producerBuilder(producerId, epoch).build();
  }

  /**
   * {@link #producer} with settings of your own: how long a batch lingers for more appends, how
   * large it may grow, how many requests are in flight ({@link Producer.Builder}).
   */
  public Producer.Builder producerBuilder(String producerId, long epoch) {
    return Producer.builder(transport, path, contentType(), producerId, epoch);
  }

  /** The stream's content type, offset and closed flag. */
  public NamedStreamInfo head() {
    var response =
        transport.sendAndWait(new Transport.Call("HEAD", path, null, Map.of(), null), Transport.Repeat.ALWAYS);
    var h = response.headers();
    return new NamedStreamInfo(
        h.firstValue("Content-Type").orElse(null),
        h.firstValue("Stream-Next-Offset").orElse(null),
        h.firstValue("Stream-Closed").map("true"::equalsIgnoreCase).orElse(false));
  }

  /**
   * Reads what is stored after {@code offset} (possibly not all of it: continue from {@link
   * NamedChunk#nextOffset()} until {@link #head()} or an empty chunk says you are at the end).
   */
  public NamedChunk read(String offset) {
    HttpResponse<byte[]> response =
        transport.sendAndWait(
            Transport.Call.get(path + "?offset=" + Wire.encode(offset)), Transport.Repeat.ALWAYS);
    return new NamedChunk(
        response.body(), response.headers().firstValue("Stream-Next-Offset").orElse(offset));
  }

  /**
   * Follows the stream live from {@code offset}: each item is what arrived in one batch, and the
   * follow ends when the stream is closed ({@link Follow#streamClosed()}).
   *
   * @throws NotFoundException when there is no such stream
   */
  public Follow<NamedChunk> follow(String offset, LiveMode mode) {
    boolean json = head().json();
    var reader =
        new LiveReader(transport, path, offset, mode, settings.giveUpAfter(), settings.longPollTimeout());
    return new Follow<>(new NamedSource(reader, offset, json));
  }

  /** {@link #follow} as a publisher: each subscriber gets its own follow, from {@code offset}. */
  public Flow.Publisher<NamedChunk> publisher(String offset, LiveMode mode) {
    return new FollowPublisher<>(() -> follow(offset, mode));
  }

  /** Closes the stream for good: readers end, appends get {@link StreamClosedException}. */
  public void closeStream() {
    transport.sendAndWait(
        Transport.Call.post(path, new byte[0], Map.of("Content-Type", contentType(), "Stream-Closed", "true")),
        Transport.Repeat.ALWAYS);
  }

  /**
   * Creates {@code forkName} as a fork of this stream: it shares this stream's data up to {@code
   * offset} (null: all of it) and continues on its own.
   */
  public NamedStream fork(String forkName, String offset) {
    var headers = new LinkedHashMap<String, String>();
    headers.put("Content-Type", contentType());
    headers.put("Stream-Forked-From", path);
    if (offset != null) {
      headers.put("Stream-Fork-Offset", offset);
    }
    var fork = new NamedStream(transport, settings, forkName);
    transport.sendAndWait(new Transport.Call("PUT", fork.path, null, headers, null), Transport.Repeat.ALWAYS);
    return fork;
  }

  /** Deletes the stream. */
  public void delete() {
    transport.sendAndWait(new Transport.Call("DELETE", path, null, Map.of(), null), Transport.Repeat.UNSENT_ONLY);
  }

  @Override
  public String toString() {
    return "NamedStream[" + name + "]";
  }

  private volatile String contentType;

  private String contentType() {
    var c = contentType;
    if (c == null) {
      c = head().contentType();
      contentType = c;
    }
    return c;
  }

  /** Live batches of a named stream as chunks. */
  private static final class NamedSource implements Follow.Source<NamedChunk> {
    private final LiveReader reader;
    private final String start;
    private final boolean json;
    private boolean closed;

    NamedSource(LiveReader reader, String start, boolean json) {
      this.reader = reader;
      this.start = start;
      this.json = json;
    }

    @Override
    public List<NamedChunk> next() {
      var batch = reader.next();
      if (batch == null) {
        return null;
      }
      closed = batch.closed();
      var parts = batch.parts().stream().filter(p -> p.length > 0 && !(json && isEmptyArray(p))).toList();
      return parts.isEmpty() ? List.of() : List.of(NamedChunk.of(parts, batch.nextOffset(), json));
    }

    private static boolean isEmptyArray(byte[] p) {
      return new String(p, StandardCharsets.UTF_8).trim().equals("[]");
    }

    @Override
    public String start() {
      return start;
    }

    @Override
    public String positionAfter(NamedChunk item) {
      return item.nextOffset();
    }

    @Override
    public String closeReason() {
      return null;
    }

    @Override
    public boolean streamClosed() {
      return closed;
    }

    @Override
    public void close() {
      reader.close();
    }
  }
}
