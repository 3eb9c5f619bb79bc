package io.tributary.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * An idempotent producer on a named stream (Durable Streams {@code Producer-Id}, {@code
 * Producer-Epoch}, {@code Producer-Seq}): each request gets the next sequence number, so a retry
 * is stored once (the server answers it as a duplicate). Thread-safe.
 *
 * <p>Pipelined appends ({@link #appendAsync}) are batched: appends gather into one request until
 * the {@linkplain Builder#linger linger} time after the first of them has passed, the batch
 * reaches {@linkplain Builder#maxBatchBytes its size limit}, or {@link #flush()} / {@link
 * #close()} is called; up to {@linkplain Builder#maxInFlight maxInFlight} requests are in flight
 * at once, and while all are busy a batch keeps growing. A batch is one body on a byte stream or
 * one JSON array of the messages on a JSON stream, stored atomically under one sequence number.
 *
 * <p>Appends are stored in the order they were made, also with several requests in flight: the
 * server stores a producer's requests only in sequence order, and a request that overtook its
 * predecessor (answered {@code 409 SEQUENCE_GAP}) is sent again, with the same number, once the
 * predecessor is stored. A request is only ever repeated with its own number, so a retry after a
 * lost answer or a server restart is answered as a duplicate and nothing is stored twice.
 *
 * <p>Errors: an append's future fails with its request's error. When a request is refused, the
 * requests sent after it cannot be stored out of order and fail too (with the same exception, or
 * for a {@link BadRequestException} of the earlier request's content, with a {@link
 * TributaryClientException} of kind {@value #EARLIER_APPEND_FAILED} whose cause it is); the
 * producer then numbers its next request from the refused one's number and goes on.
 *
 * <p>A request that gets no answer through all its retries (an {@link UnavailableException}) may
 * or may not have been stored; its appends fail with that exception, and so do (as {@value
 * #EARLIER_APPEND_FAILED}) the requests sent behind it that the server could not store without
 * it. The producer then sends its next request alone and, if the server answers that an earlier
 * number is missing (the lost request was never stored), sends it again under the number the
 * server expects: the producer stays usable without a new epoch, the lost appends are not stored
 * (their futures said so), and nothing is stored twice (a lost request that was stored is not
 * sent again).
 */
public final class Producer implements AutoCloseable {
  /** How long a batch waits for more appends after its first: 5 ms. */
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(5);

  /** Most payload bytes one request gathers, 1 MiB (a single larger append still goes alone). */
  public static final int DEFAULT_MAX_BATCH_BYTES = 1 << 20;

  /** Requests in flight at once: 5. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 5;

  /** The kind of the error of an append that was not stored because an earlier one was refused. */
  public static final String EARLIER_APPEND_FAILED = "earlier_append_failed";

  private static final String SEQUENCE_GAP = "SEQUENCE_GAP";

  private final Transport transport;
  private final String path;
  private final String contentType;
  private final boolean json;
  private final String producerId;
  private final long epoch;
  private final Duration linger;
  private final int maxBatchBytes;
  private final int maxInFlight;

  // all guarded by this
  private Batch open;
  private final ArrayDeque<Batch> full = new ArrayDeque<>();
  private Batch lastSent;
  private int inFlight;
  private long nextSeq;
  private long rewindTo = -1;
  private boolean resync;
  private Batch probe;
  private boolean closed;
  private CompletableFuture<Void> allSettled = CompletableFuture.completedFuture(null);

  /** Fires the linger time of batches; one daemon thread for all producers. */
  private static final ScheduledThreadPoolExecutor LINGER = lingerTimer();

  private static ScheduledThreadPoolExecutor lingerTimer() {
    var timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              var t = new Thread(r, "tributary-producer-linger");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true); // a batch sent before its linger ran out leaves nothing behind
    return timer;
  }

  /**
   * Appends sent in one request; its body is written as the appends come (a copy of each, so the
   * caller may reuse its array), so sending it has nothing left to assemble. Numbered when sent.
   */
  private static final class Batch {
    final List<CompletableFuture<Long>> appends = new ArrayList<>();
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    byte[] buffer;
    int length;
    boolean hasJsonValue;
    long bytes;
    boolean due;
    long seq;
    byte[] body;
    Batch before;
    ScheduledFuture<?> lingerTimer;
    volatile RuntimeException failure;

    Batch(int capacity) {
      buffer = new byte[capacity];
    }

    void write(byte[] data, int from, int to) {
      int n = to - from;
      if (length + n > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(length + n, buffer.length * 2));
      }
      System.arraycopy(data, from, buffer, length, n);
      length += n;
    }

    void write(byte b) {
      if (length == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      buffer[length++] = b;
    }
  }

  private Producer(Builder b) {
    this.transport = b.transport;
    this.path = b.path;
    this.contentType = b.contentType;
    this.json = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    this.producerId = b.producerId;
    this.epoch = b.epoch;
    this.linger = b.linger;
    this.maxBatchBytes = b.maxBatchBytes;
    this.maxInFlight = b.maxInFlight;
  }

  static Builder builder(Transport transport, String path, String contentType, String producerId, long epoch) {
    return new Builder(transport, path, contentType, producerId, epoch);
  }

  /**
   * Appends {@code data} and waits until it is stored. Its batch goes out at once (the caller
   * waits anyway), with whatever other threads appended meanwhile.
   *
   * @return the sequence number of the request that stored it
   * @throws ConflictException {@code STALE_EPOCH} when a newer epoch of this producer took over
   * @throws StreamClosedException when the stream is closed
   * @throws IllegalStateException when this producer is closed
   */
  public long append(byte[] data) {
    return Transport.await(enqueue(data, true));
  }

  /** {@link #append(byte[])} of UTF-8 text. */
  public long append(String text) {
    return append(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Queues {@code data} without waiting; completes with the sequence number of the request that
   * stored it (appends batched together share one), or with the error that request got.
   *
   * @throws IllegalStateException when this producer is closed
   */
  public CompletableFuture<Long> appendAsync(byte[] data) {
    return enqueue(data, false);
  }

  /**
   * Sends what is gathering now, without waiting for the linger time, and waits until every
   * append made before this call is stored or failed. Failures stay on the appends' futures;
   * this method does not throw them.
   */
  public void flush() {
    CompletableFuture<Void> settled;
    synchronized (this) {
      if (open != null) {
        open.due = true;
      }
      settled = allSettled;
    }
    dispatch(true);
    Transport.await(settled);
  }

  /**
   * Sends what is gathering, waits as {@link #flush()} does and refuses further appends. The
   * stream stays open (that is {@link NamedStream#closeStream()}). Closing twice is harmless.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    flush();
  }

  private CompletableFuture<Long> enqueue(byte[] data, boolean now) {
    var done = new CompletableFuture<Long>();
    Batch lingering = null;
    boolean sendable;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the producer " + producerId + " is closed");
      }
      if (open != null && !open.appends.isEmpty() && open.bytes + data.length > maxBatchBytes) {
        full.add(open);
        open = null;
      }
      if (open == null) {
        open = newBatch(data.length);
        lingering = open;
      }
      open.appends.add(done);
      add(open, data);
      open.bytes += data.length;
      if (open.bytes >= maxBatchBytes) {
        full.add(open);
        open = null;
      } else if (now || linger.isZero()) {
        open.due = true;
      }
      // an append that only joins a lingering batch has nothing to send
      sendable = !full.isEmpty() || (open != null && open.due);
    }
    if (lingering != null && !linger.isZero()) {
      var batch = lingering;
      var timer = LINGER.schedule(() -> becomeDue(batch), linger.toNanos(), TimeUnit.NANOSECONDS);
      synchronized (this) {
        if (open == batch) {
          batch.lingerTimer = timer;
        } else {
          timer.cancel(false); // sent already
        }
      }
    }
    if (sendable) {
      dispatch(now);
    }
    return done;
  }

  private Batch newBatch(int firstAppend) {
    var batch = new Batch(Math.max(firstAppend + 2, Math.min(maxBatchBytes, 8192)));
    allSettled = CompletableFuture.allOf(allSettled, batch.settled);
    return batch;
  }

  private void becomeDue(Batch batch) {
    synchronized (this) {
      if (open != batch) {
        return;
      }
      batch.due = true;
    }
    dispatch(false);
  }

  /**
   * Numbers and sends the batches that may go now, oldest first. When the caller waits for them
   * anyway ({@link #flush()}, a blocking append), the last one is exchanged on its thread: two
   * thread hand-offs fewer per request.
   */
  private void dispatch(boolean callerWaits) {
    var sending = new ArrayList<Batch>();
    synchronized (this) {
      while (inFlight < maxInFlight && probe == null) {
        if (rewindTo >= 0 || resync) {
          if (inFlight > 0) {
            break; // the numbers above the refused one are free only when all their requests ended
          }
          if (rewindTo >= 0) {
            nextSeq = rewindTo;
            rewindTo = -1;
            lastSent = null;
          }
        }
        Batch next;
        if (!full.isEmpty()) {
          next = full.poll();
        } else if (open != null && open.due) {
          next = open;
          open = null;
        } else {
          break;
        }
        if (next.lingerTimer != null) {
          next.lingerTimer.cancel(false);
          next.lingerTimer = null;
        }
        next.seq = nextSeq++;
        next.before = lastSent;
        lastSent = next;
        inFlight++;
        sending.add(next);
        if (resync) {
          // after a request of unknown outcome: this one goes alone, to learn the server's number
          resync = false;
          probe = next;
        }
      }
    }
    for (int i = 0; i < sending.size(); i++) {
      send(sending.get(i), callerWaits && i == sending.size() - 1);
    }
  }

  private void send(Batch batch) {
    send(batch, false);
  }

  private void send(Batch batch, boolean onThisThread) {
    if (batch.body == null) {
      batch.body = body(batch);
    }
    var before = batch.before;
    boolean predecessorSettled = before == null || before.settled.isDone();
    var headers = new LinkedHashMap<String, String>();
    headers.put("Content-Type", contentType);
    headers.put("Producer-Id", producerId);
    headers.put("Producer-Epoch", Long.toString(epoch));
    headers.put("Producer-Seq", Long.toString(batch.seq));
    CompletableFuture<?> answer;
    try {
      answer =
          transport.sendDirect(
              Transport.Call.post(path, batch.body, headers), Transport.Repeat.ALWAYS, onThisThread);
    } catch (RuntimeException notSent) {
      finish(batch, notSent, true);
      return;
    }
    answer.whenComplete((ok, failure) -> {
      if (failure == null) {
        finish(batch, null, false);
        return;
      }
      var cause = Transport.unwrap(failure);
      if (overtook(cause) && renumbered(batch, (ConflictException) cause)) {
        send(batch);
        return;
      }
      if (overtook(cause) && !predecessorSettled) {
        // it arrived before its predecessor: again, with the same number, once that one is in
        before.settled.whenComplete((v, x) -> {
          var earlier = before.failure;
          if (earlier == null) {
            send(batch);
          } else {
            finish(batch, afterEarlier(earlier), true);
          }
        });
        return;
      }
      finish(batch, cause, refused(cause));
    });
  }

  /**
   * Whether {@code batch}, the one request sent alone after a request of unknown outcome, took the
   * number the server expects instead of its own: the numbers between were never stored.
   */
  private synchronized boolean renumbered(Batch batch, ConflictException gap) {
    long expected = gap.expectedProducerSeq();
    if (probe != batch || expected < 0 || expected >= batch.seq) {
      return false;
    }
    batch.seq = expected;
    nextSeq = expected + 1;
    return true;
  }

  private void finish(Batch batch, RuntimeException failure, boolean storedNothing) {
    synchronized (this) {
      inFlight--;
      batch.before = null;
      if (probe == batch) {
        probe = null;
      }
      if (storedNothing && (rewindTo < 0 || batch.seq < rewindTo)) {
        rewindTo = batch.seq;
      }
      if (failure != null && !storedNothing) {
        resync = true; // stored or not, only the server knows now
      }
    }
    batch.failure = failure;
    for (var done : batch.appends) {
      if (failure == null) {
        done.complete(batch.seq);
      } else {
        done.completeExceptionally(failure);
      }
    }
    batch.buffer = null;
    batch.body = null;
    batch.settled.complete(null);
    dispatch(false);
  }

  private static boolean overtook(Throwable cause) {
    return cause instanceof ConflictException c && SEQUENCE_GAP.equals(c.kind());
  }

  /** What a request that waited for a refused predecessor fails with. */
  private static RuntimeException afterEarlier(RuntimeException earlier) {
    if (earlier instanceof TributaryClientException t && EARLIER_APPEND_FAILED.equals(t.kind())) {
      return earlier;
    }
    if (refused(earlier) && !(earlier instanceof BadRequestException)) {
      return earlier; // the stream's or the producer's state: it applies to this request too
    }
    return new TributaryClientException(
        0, EARLIER_APPEND_FAILED,
        "not stored: an earlier append of this producer was refused first: " + earlier.getMessage(),
        false, earlier);
  }

  /** True when the server certainly stored nothing (it answered with a refusal). */
  private static boolean refused(Throwable cause) {
    return cause instanceof ConflictException
        || cause instanceof StreamClosedException
        || cause instanceof BadRequestException
        || cause instanceof NotFoundException
        || cause instanceof AccessDeniedException;
  }

  /**
   * Adds one append to {@code batch}'s body. A byte stream's body is the payloads back to back; a
   * JSON stream's is one array of the messages, where an appended array contributes its elements,
   * as it would when sent alone (byte-exact: only the JSON whitespace around them is dropped).
   */
  private void add(Batch batch, byte[] data) {
    if (!json) {
      batch.write(data, 0, data.length);
      return;
    }
    int from = skipSpace(data, 0, data.length);
    int to = trailingSpace(data, from, data.length);
    if (to - from >= 2 && data[from] == '[' && data[to - 1] == ']') {
      from = skipSpace(data, from + 1, to - 1);
      to = trailingSpace(data, from, to - 1);
      if (from == to) {
        return; // an empty array adds no message
      }
    }
    batch.write(batch.hasJsonValue ? (byte) ',' : (byte) '[');
    batch.hasJsonValue = true;
    batch.write(data, from, to);
  }

  private static boolean jsonSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static int skipSpace(byte[] data, int from, int to) {
    while (from < to && jsonSpace(data[from])) {
      from++;
    }
    return from;
  }

  private static int trailingSpace(byte[] data, int from, int to) {
    while (to > from && jsonSpace(data[to - 1])) {
      to--;
    }
    return to;
  }

  /** The request body of {@code batch}, once all its appends are in. */
  private byte[] body(Batch batch) {
    if (json) {
      if (!batch.hasJsonValue) {
        batch.write((byte) '[');
      }
      batch.write((byte) ']');
    }
    return batch.length == batch.buffer.length ? batch.buffer : Arrays.copyOf(batch.buffer, batch.length);
  }

  /** Settings of a {@link Producer}; every one has a default. */
  public static final class Builder {
    private final Transport transport;
    private final String path;
    private final String contentType;
    private final String producerId;
    private final long epoch;
    private Duration linger = DEFAULT_LINGER;
    private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

    private Builder(Transport transport, String path, String contentType, String producerId, long epoch) {
      this.transport = transport;
      this.path = path;
      this.contentType = contentType;
      this.producerId = Objects.requireNonNull(producerId, "producerId");
      this.epoch = epoch;
    }

    /**
     * How long a batch waits for more appends after its first before it is sent. Zero sends at
     * once when a request slot is free; appends made while every slot is busy still gather.
     */
    public Builder linger(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("linger must be >= 0, got " + d);
      }
      this.linger = d;
      return this;
    }

    /** Most payload bytes in one request (a single larger append still goes, alone). */
    public Builder maxBatchBytes(int n) {
      this.maxBatchBytes = TributaryClient.Builder.atLeastOne("maxBatchBytes", n);
      return this;
    }

    /** Most requests in flight at once; 1 sends each batch only after the previous was answered. */
    public Builder maxInFlight(int n) {
      this.maxInFlight = TributaryClient.Builder.atLeastOne("maxInFlight", n);
      return this;
    }

    /** The producer; the settings are frozen. */
    public Producer build() {
      return new Producer(this);
    }
  }
}
