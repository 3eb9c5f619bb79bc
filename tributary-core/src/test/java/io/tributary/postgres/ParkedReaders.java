package io.tributary.postgres;

import static org.awaitility.Awaitility.await;

import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Parks a reader on a store and acts once it is parked: the hand-off tests' one step. */
final class ParkedReaders {
  private ParkedReaders() {}

  /**
   * Starts {@code read} (a blocking read) on a virtual thread, runs {@code append} once {@code
   * notifier} counts one more parked reader, and returns what the read answered.
   */
  static <T> T wokenBy(Notifier notifier, Callable<T> read, Runnable append) throws Exception {
    int before = notifier.parkedReaders();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var waiting = exec.submit(read);
      await().atMost(5, TimeUnit.SECONDS).until(() -> notifier.parkedReaders() > before);
      append.run();
      return waiting.get(10, TimeUnit.SECONDS);
    }
  }
}
