package io.tributary.client;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;

/**
 * An idempotent producer on a named stream (Durable Streams {@code Producer-Id}, {@code
 * Producer-Epoch}, {@code Producer-Seq}): each append gets the next sequence number, so a retry
 * is stored once (the server answers it as a duplicate). Appends may be pipelined; one that
 * overtakes an earlier one in flight is sent again once that one is done. Thread-safe.
 */
public final class Producer {
  private final Transport transport;
  private final String path;
  private final String contentType;
  private final String producerId;
  private final long epoch;
  private long nextSeq;
  private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

  Producer(Transport transport, String path, String contentType, String producerId, long epoch) {
    this.transport = transport;
    this.path = path;
    this.contentType = contentType;
    this.producerId = producerId;
    this.epoch = epoch;
  }

  /**
   * Appends {@code data} and waits until it is stored.
   *
   * @return the sequence number it was stored under
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

  /** Sends {@code data} without waiting; completes with its sequence number once stored. */
  public CompletableFuture<Long> appendAsync(byte[] data) {
    long seq;
    CompletableFuture<?> previous;
    var done = new CompletableFuture<Long>();
    synchronized (this) {
      seq = nextSeq++;
      previous = last;
      last = done;
    }
    send(data, seq, previous, true).whenComplete((ok, failure) -> {
      if (failure != null) {
        done.completeExceptionally(Transport.unwrap(failure));
      } else {
        done.complete(seq);
      }
    });
    return done;
  }

  private CompletableFuture<Void> send(byte[] data, long seq, CompletableFuture<?> previous, boolean first) {
    var headers = new LinkedHashMap<String, String>();
    headers.put("Content-Type", contentType);
    headers.put("Producer-Id", producerId);
    headers.put("Producer-Epoch", Long.toString(epoch));
    headers.put("Producer-Seq", Long.toString(seq));
    return transport
        .send(Transport.Call.post(path, data, headers), Transport.Repeat.ALWAYS)
        .<CompletableFuture<Void>>handle(
            (response, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(null);
              }
              var cause = Transport.unwrap(failure);
              if (first && cause instanceof ConflictException c && "SEQUENCE_GAP".equals(c.kind())) {
                // an earlier append is still in flight: go again once it is done
                return previous.handle((x, y) -> null).thenCompose(x -> send(data, seq, previous, false));
              }
              return CompletableFuture.failedFuture(cause);
            })
        .thenCompose(f -> f);
  }
}
