package io.tributary.server;

import io.tributary.api.NamedStreamStore;
import io.tributary.api.StreamStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic housekeeping that nobody's request triggers: closes attempts whose lease expired
 * (readers then see {@code lease_expired} and stop waiting for a worker that is gone) and retires
 * expired Durable Streams streams that nobody touches any more.
 *
 * <p>Both steps are idempotent, so every server on a database may run them.
 */
final class Sweeper implements AutoCloseable {
  /** Streams retired per sweep at most, so one sweep stays a short transaction. */
  static final int EXPIRED_STREAMS_PER_SWEEP = 1_000;

  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  private final StreamStore attempts;
  private final NamedStreamStore named;
  private final ScheduledExecutorService timer;

  Sweeper(StreamStore attempts, NamedStreamStore named, Duration interval) {
    this.attempts = attempts;
    this.named = named;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tributary-sweeper").factory());
    long ms = interval.toMillis();
    timer.scheduleWithFixedDelay(this::sweep, ms, ms, TimeUnit.MILLISECONDS);
  }

  void sweep() {
    try {
      int leases = attempts.expireLeases();
      int streams = named.expireStreams(EXPIRED_STREAMS_PER_SWEEP);
      if (leases > 0 || streams > 0) {
        log.debug("sweep: {} expired leases closed, {} expired streams retired", leases, streams);
      }
    } catch (RuntimeException e) {
      // the next sweep tries again; a database outage must not kill the timer
      log.warn("sweep failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
