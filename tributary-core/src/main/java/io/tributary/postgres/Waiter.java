package io.tributary.postgres;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One parked reader's registration for one stream. A wake is a hint that something changed; the
 * reader must re-query. Always {@link #close()} it (try-with-resources).
 */
final class Waiter implements AutoCloseable {
  private final Notifier notifier;
  private final long streamId;
  private final Semaphore signal = new Semaphore(0);

  Waiter(Notifier notifier, long streamId) {
    this.notifier = notifier;
    this.streamId = streamId;
  }

  public long streamId() {
    return streamId;
  }

  void wake() {
    // at most one pending permit: many wakes before a re-query collapse into one
    if (signal.availablePermits() == 0) {
      signal.release();
    }
  }

  /**
   * Parks until woken or {@code maxWaitNanos} passes. A lost notification still wakes it within
   * one re-check interval ({@link StreamRechecker}), so it costs latency, not data. Returns at
   * once while the notifier drains for shutdown.
   *
   * @return true when woken, false on timeout (re-query in both cases)
   */
  public boolean await(long maxWaitNanos) throws InterruptedException {
    if (notifier.isDraining()) {
      return false;
    }
    long wait = maxWaitNanos;
    if (wait <= 0) {
      return signal.tryAcquire();
    }
    boolean woken = signal.tryAcquire(wait, TimeUnit.NANOSECONDS);
    signal.drainPermits();
    return woken;
  }

  @Override
  public void close() {
    notifier.deregister(this);
  }
}
