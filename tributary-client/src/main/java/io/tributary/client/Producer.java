package io.tributary.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * An idempotent producer on a named stream (Durable Streams {@code Producer-Id}, {@code
 * Producer-Epoch}, {@code Producer-Seq}): each request gets the next sequence number, so a retry
 * is stored once (the server answers it as a duplicate). Thread-safe.
 *
 * <p>Pipelined appends are batched: one request is in flight at a time, and the appends made
 * meanwhile go out together in the next one (up to {@value #MAX_BATCH_BYTES} bytes), as one
 * body on a byte stream or one JSON array of messages on a JSON stream. A lone append goes out at
 * once, so batching adds no delay; under load a batch grows by itself. Appends keep their order,
 * and the appends of one request are stored atomically under one sequence number.
 */
public final class Producer {
  /** Most payload bytes one request gathers (a single larger append still goes alone). */
  public static final int MAX_BATCH_BYTES = 1 << 20;

  private final Transport transport;
  private final String path;
  private final String contentType;
  private final boolean json;
  private final String producerId;
  private final long epoch;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean sending;
  private long nextSeq;

  private record Pending(byte[] data, CompletableFuture<Long> done) {}

  Producer(Transport transport, String path, String contentType, String producerId, long epoch) {
    this.transport = transport;
    this.path = path;
    this.contentType = contentType;
    this.json = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    this.producerId = producerId;
    this.epoch = epoch;
  }

  /**
   * Appends {@code data} and waits until it is stored.
   *
   * @return the sequence number of the request that stored it
   * @throws ConflictException {@code STALE_EPOCH} when a newer epoch of this producer took over
   * @throws StreamClosedException when the stream is closed
   */
  public long append(byte[] data) {
    return Transport.await(appendAsync(data));
  }

  /** {@link #append(byte[])} of UTF-8 text. */
  public long append(String text) {
    return append(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Queues {@code data} without waiting; completes with the sequence number of the request that
   * stored it (appends batched together share one), or with the error that request got.
   */
  public CompletableFuture<Long> appendAsync(byte[] data) {
    var done = new CompletableFuture<Long>();
    synchronized (this) {
      queue.add(new Pending(data.clone(), done));
      if (sending) {
        return done;
      }
      sending = true;
    }
    sendNext();
    return done;
  }

  /** Sends what is queued as one request; when it is answered, the next. */
  private void sendNext() {
    var batch = new ArrayList<Pending>();
    long seq;
    synchronized (this) {
      long bytes = 0;
      while (!queue.isEmpty()
          && (batch.isEmpty() || bytes + queue.peek().data().length <= MAX_BATCH_BYTES)) {
        var p = queue.poll();
        bytes += p.data().length;
        batch.add(p);
      }
      if (batch.isEmpty()) {
        sending = false;
        return;
      }
      seq = nextSeq++;
    }
    send(body(batch), seq).whenComplete((ok, failure) -> {
      if (failure == null) {
        batch.forEach(p -> p.done().complete(seq));
      } else {
        var cause = Transport.unwrap(failure);
        if (refused(cause)) {
          // the server answered and stored nothing: the next request may use this number
          synchronized (this) {
            nextSeq = seq;
          }
        }
        batch.forEach(p -> p.done().completeExceptionally(cause));
      }
      sendNext();
    });
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
   * A byte stream's batch is the payloads back to back; a JSON stream's is one array of the
   * messages, where an appended array contributes its elements, as it would when sent alone.
   */
  private byte[] body(List<Pending> batch) {
    if (batch.size() == 1) {
      return batch.get(0).data();
    }
    var out = new ByteArrayOutputStream();
    if (!json) {
      batch.forEach(p -> out.writeBytes(p.data()));
      return out.toByteArray();
    }
    out.write('[');
    boolean first = true;
    for (var p : batch) {
      String value = new String(p.data(), StandardCharsets.UTF_8).strip();
      if (value.startsWith("[") && value.endsWith("]")) {
        value = value.substring(1, value.length() - 1).strip();
        if (value.isEmpty()) {
          continue;
        }
      }
      if (!first) {
        out.write(',');
      }
      first = false;
      out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }
    out.write(']');
    return out.toByteArray();
  }

  private CompletableFuture<Void> send(byte[] data, long seq) {
    var headers = new LinkedHashMap<String, String>();
    headers.put("Content-Type", contentType);
    headers.put("Producer-Id", producerId);
    headers.put("Producer-Epoch", Long.toString(epoch));
    headers.put("Producer-Seq", Long.toString(seq));
    return transport
        .send(Transport.Call.post(path, data, headers), Transport.Repeat.ALWAYS)
        .thenApply(response -> null);
  }
}
