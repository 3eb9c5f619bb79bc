package io.tributary.protocol.ds;

import io.tributary.api.UnavailableException;
import io.tributary.protocol.HttpResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One SSE response: catch-up data first, then live data as it is appended. Every data event is
 * followed by a control event with the offset to resume from; the first time the reader is caught
 * up (even with no data) a control event says {@code upToDate}. The response ends after the control
 * event that reports the stream closed, when the stream disappears, or after {@link
 * DurableStreamsConfig#sseMaxDuration()} (the client then reconnects from its last offset). While
 * idle it sends a comment at least every {@link DurableStreamsConfig#sseKeepAlive()} (paced by the
 * stream's feed while it reads from one, see {@link StreamFeed}); a client that went
 * away makes that write fail, which ends the session; an adapter that notices the client leave
 * ends the wait at once ({@link HttpResponse.EventSink#onClientGone}). When the server drains for shutdown the
 * response ends at its next wake, after a control event with the offset to resume from.
 *
 * @param <P> the stream kind's position type
 */
final class SseSession<P> {
  /** Reads the data after a position, waiting up to {@code wait} for some (zero: no waiting). */
  @FunctionalInterface
  interface Source<P> {
    /**
     * @param wait the longest to wait before a keep-alive is due (zero: do not wait); a source
     *     that paces keep-alives itself may wait until its own tick instead, but never past
     *     {@code deadlineNanos}
     */
    SseBatch<P> after(P position, Duration wait, long deadlineNanos) throws InterruptedException;
  }

  private final Source<P> source;
  /** Pause between tries while the database is unreachable. */
  static final long OUTAGE_RETRY_MS = 250;

  private final SseBatch<P> first;
  private final DurableStreamsConfig config;
  private final LongSupplier clock;
  private final String echoedCursor;
  private final BooleanSupplier draining;
  private final BooleanSupplier clientGone;

  SseSession(
      Source<P> source,
      SseBatch<P> first,
      DurableStreamsConfig config,
      LongSupplier clock,
      String echoedCursor,
      BooleanSupplier draining,
      BooleanSupplier clientGone) {
    this.draining = draining;
    this.clientGone = clientGone;
    this.source = source;
    this.first = first;
    this.config = config;
    this.clock = clock;
    this.echoedCursor = echoedCursor;
  }

  void writeTo(HttpResponse.EventSink sink) throws IOException {
    long deadline = System.nanoTime() + config.sseMaxDuration().toNanos();
    var batch = first;
    boolean announced = false;
    try {
      while (batch.readable()) {
        if (batch.hasData()) {
          sink.write(batch.events(cursor()));
          // a full batch is not the tail: the empty read after it must still say upToDate, or a
          // stream whose catch-up ends on a batch boundary is never announced caught up
          announced = batch.upToDate();
          if (batch.endOfStream()) {
            return;
          }
          if (!batch.upToDate()) {
            batch = fetch(sink, batch.next(), Duration.ZERO, deadline);
            if (batch == null) {
              return;
            }
            continue;
          }
        } else if (batch.closed()) {
          sink.write(batch.control(cursor()));
          return;
        } else if (!announced) {
          sink.write(batch.control(cursor()));
          announced = true;
        } else {
          sink.write(SseEvents.keepAliveBytes());
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return;
        }
        if (draining.getAsBoolean()) {
          // the server is shutting down: a last control event tells the client where to resume
          sink.write(batch.control(cursor()));
          return;
        }
        var wait = Duration.ofNanos(Math.min(remaining, config.sseKeepAlive().toNanos()));
        batch = fetch(sink, batch.next(), wait, deadline);
        if (batch == null || clientGone.getAsBoolean()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The next batch, riding out a database outage: the reader stays connected and gets the data
   * when the database is back, instead of every reader reconnecting at once. Keep-alives go on
   * meanwhile (they also notice a client that left).
   *
   * @return null when the session's time is up first
   */
  private SseBatch<P> fetch(HttpResponse.EventSink sink, P from, Duration wait, long deadline)
      throws IOException, InterruptedException {
    long lastKeepAlive = System.nanoTime();
    while (true) {
      try {
        return source.after(from, wait, deadline);
      } catch (UnavailableException e) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return null;
        }
        Thread.sleep(Math.min(OUTAGE_RETRY_MS, remaining / 1_000_000 + 1));
        if (System.nanoTime() - lastKeepAlive >= config.sseKeepAlive().toNanos()) {
          sink.write(SseEvents.keepAliveBytes());
          lastKeepAlive = System.nanoTime();
        }
      }
    }
  }

  private String cursor() {
    return DsCursor.next(clock.getAsLong(), echoedCursor);
  }
}
