package io.tributary.postgres;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One parked reader's registration for one stream. A wake is a hint that something changed; the
 * reader must re-query. Always {@link #close()} it (try-with-resources).
 */
final class Waiter implements AutoCloseable {
  private final Notifier notifier;
  private final long streamId;
  private final Semaphore signal = new Semaphore(0);
  /** Frames this process committed with the last wake, if it handed any ({@link #take()}). */
  private final AtomicReference<HandedFrames> handed = new AtomicReference<>();

  Waiter(Notifier notifier, long streamId) {
    this.notifier = notifier;
    this.streamId = streamId;
  }

  public long streamId() {
    return streamId;
  }

  /** Wakes the reader and hands it the frames that woke it: it may answer with them. */
  void wake(HandedFrames frames) {
    handed.set(frames);
    wake();
  }

  /**
   * The frames handed with a wake since the last call, or null; the reader answers with them only
   * when they start exactly where it waits (else it queries as after any wake).
   */
  HandedFrames take() {
    return handed.getAndSet(null);
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
