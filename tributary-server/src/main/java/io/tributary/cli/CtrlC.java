package io.tributary.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ends a live follow cleanly on Ctrl-C: the shutdown hook closes the follow, then holds the JVM
 * (up to 2 s) until the command has printed its last line and closed this guard.
 */
final class CtrlC implements AutoCloseable {
  private static final long GRACE_SECONDS = 2;

  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  CtrlC(AutoCloseable follow, String name) {
    hook =
        new Thread(
            () -> {
              try {
                follow.close();
                done.await(GRACE_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception ignored) {
                // the JVM is going anyway
              }
            },
            name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs now and ends once it sees the latch
    }
  }
}
