package io.tributary.protocol.ds;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that paces the SSE keep-alives of every {@link StreamFeed}: each feed is ticked
 * once per keep-alive interval, at its own phase (so the keep-alives of different streams spread
 * over the interval instead of all going out at once). It runs while there are feeds and ends
 * when there are none; {@link #ensureRunning} starts it again.
 */
final class FeedTicker {
  /** The finest step of the ticker; a feed ticks this much early so no reader is silent longer. */
  static final Duration MAX_STEP = Duration.ofSeconds(1);
  private static final long MIN_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Collection<StreamFeed<?>> feeds;
  private final long stepNanos;
  private final long intervalNanos;
  private final long firstNanos;
  private boolean running; // guarded by this

  /** @param keepAlive the longest an SSE response may stay silent */
  FeedTicker(Collection<StreamFeed<?>> feeds, Duration keepAlive) {
    this.feeds = feeds;
    long keep = keepAlive.toNanos();
    this.stepNanos = Math.max(MIN_STEP_NANOS, Math.min(MAX_STEP.toNanos(), keep / 8));
    // a tick is seen up to one step late: tick that much early
    this.intervalNanos = Math.max(stepNanos, keep - stepNanos);
    // the ticker sees a new feed up to one step after its first readers wrote
    this.firstNanos = Math.max(stepNanos, intervalNanos - stepNanos);
  }

  /** The longest a reader parked on a ticked feed waits for its next tick (with slack). */
  long tickWithinNanos() {
    return intervalNanos + 2 * stepNanos;
  }

  /** Starts the thread if it is not running (a feed has just been added). */
  synchronized void ensureRunning() {
    if (!running) {
      running = true;
      Thread.ofVirtual().name("tributary-keepalive").start(this::run);
    }
  }

  private void run() {
    try {
      while (true) {
        TimeUnit.NANOSECONDS.sleep(stepNanos);
        long now = System.nanoTime();
        for (var feed : feeds) {
          feed.tickIfDue(now, intervalNanos, firstNanos);
        }
        if (feeds.isEmpty() && stopIfIdle()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      synchronized (this) {
        running = false;
      }
    }
  }

  /** Ends the thread unless a feed came in meanwhile (its {@link #ensureRunning} found it running). */
  private synchronized boolean stopIfIdle() {
    if (feeds.isEmpty()) {
      running = false;
      return true;
    }
    return false;
  }
}
