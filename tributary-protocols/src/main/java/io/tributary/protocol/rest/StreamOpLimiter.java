package io.tributary.protocol.rest;

import java.util.concurrent.Semaphore;

/**
 * Bounds concurrent reads and tails, like FlowFabric's {@code stream_ops} semaphore: a call that
 * finds every permit taken is refused at once (429) instead of queueing, because a queued tail
 * would only hold its client longer. After {@link #shutdown()} every call is refused with 503.
 */
final class StreamOpLimiter {
  private final int max;
  private final Semaphore permits;
  private volatile boolean shutdown;

  StreamOpLimiter(int max) {
    this.max = max;
    this.permits = new Semaphore(max);
  }

  /** A held permit; closing it gives it back. */
  interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Takes a permit without waiting.
   *
   * @throws RestException 429 {@code resource_exhausted} when none is free, 503 {@code
   *     unavailable} after shutdown
   */
  Permit acquire() {
    if (shutdown) {
      throw unavailable();
    }
    if (!permits.tryAcquire()) {
      throw new RestException(
          429,
          "resource_exhausted",
          true,
          "too many concurrent stream_ops calls (server max: " + max + "); retry with backoff");
    }
    return permits::release;
  }

  int inUse() {
    return max - permits.availablePermits();
  }

  void shutdown() {
    shutdown = true;
  }

  private static RestException unavailable() {
    return new RestException(503, "unavailable", false, "backend op unavailable: stream_ops");
  }
}
