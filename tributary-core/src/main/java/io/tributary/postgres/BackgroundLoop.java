package io.tributary.postgres;

/**
 * The daemon thread of a store component that loops until it is closed (the LISTEN session, the
 * outage probe): the loop asks {@link #running()}, waits with {@link #pause(long)}, and {@link
 * #stop} ends it.
 */
final class BackgroundLoop {
  private final Thread thread;
  private volatile boolean running = true;

  /** A loop named {@code name} (as the thread) that runs {@code body} once started. */
  BackgroundLoop(String name, Runnable body) {
    this.thread = Thread.ofPlatform().daemon().name(name).unstarted(body);
  }

  void start() {
    thread.start();
  }

  /** False once {@link #stop} began. */
  boolean running() {
    return running;
  }

  /** Waits {@code ms}; returns early when the loop is stopped, keeping the interrupt flag set. */
  void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Ends the loop: marks it stopped, runs {@code unblock} (closing what the loop may be blocked
   * on), interrupts the thread and waits at most {@code joinMs} for it to end.
   */
  void stop(Runnable unblock, long joinMs) {
    running = false;
    unblock.run();
    thread.interrupt();
    try {
      thread.join(joinMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
