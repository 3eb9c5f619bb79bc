package io.tributary.bench;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A measured window of fixed length in which writer threads write as fast as their writes
 * complete: all start together, the writes done by the end of the window are counted, and the
 * {@link Meter} reads the costs around it. The writes themselves are the runner's ({@link Writer}).
 */
final class WriteWindow {
  /** Counter slots 16 longs (128 bytes) apart, so that writers do not share a cache line. */
  private static final int SLOT = 16;

  /** What one writer thread does: write until its tally says stop, recording each write. */
  @FunctionalInterface
  interface Writer {
    void run(Tally tally) throws Exception;
  }

  /** One synchronous write. */
  @FunctionalInterface
  interface Write {
    void run() throws Exception;
  }

  /** The record of one writer: its writes, their latencies and its errors. */
  static final class Tally {
    private final AtomicLongArray counts;
    private final AtomicLongArray errors;
    private final int slot;
    private final AtomicBoolean stop;
    private final AtomicReference<Throwable> firstError;
    private long[] latencies = new long[1 << 16];
    private int n;

    private Tally(
        AtomicLongArray counts, AtomicLongArray errors, int slot, AtomicBoolean stop, AtomicReference<Throwable> firstError) {
      this.counts = counts;
      this.errors = errors;
      this.slot = slot;
      this.stop = stop;
      this.firstError = firstError;
    }

    /** Whether the window is still open. */
    boolean running() {
      return !stop.get();
    }

    /** Runs and times one write: a write that throws counts as an error, not as a write. */
    void time(Write write) {
      long t = System.nanoTime();
      try {
        write.run();
      } catch (Exception e) {
        failed(e);
        return;
      }
      done(System.nanoTime() - t);
    }

    /** One write done in {@code nanos}; writes completing on other threads may call it too. */
    synchronized void done(long nanos) {
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = nanos;
      counts.lazySet(slot, n);
    }

    /** One write failed with {@code e}. */
    void failed(Throwable e) {
      errors.incrementAndGet(slot);
      firstError.compareAndSet(null, e);
    }

    private synchronized long[] latencies() {
      return Arrays.copyOf(latencies, n);
    }
  }

  /**
   * What a window measured.
   *
   * @param writes writes done by the end of the window
   * @param errors writes that failed (a non-zero count makes the run suspect)
   * @param firstError the first failure, or null
   * @param seconds the window's length as measured
   * @param latencies every write's latency in nanoseconds, ascending
   * @param costs what the window cost besides its writes
   */
  record Outcome(long writes, long errors, Throwable firstError, double seconds, long[] latencies, Meter.Costs costs) {
    double perSecond() {
      return writes / seconds;
    }

    double averageMs() {
      return latencies.length == 0 ? Double.NaN : Arrays.stream(latencies).average().orElse(0) / 1e6;
    }

    /** The {@code q} quantile of the latencies in ms; NaN without any. */
    double percentileMs(double q) {
      return TributaryRunner.pct(latencies, q);
    }

    /** Prints the failures, if any, to stderr: {@code what} names the writes, {@code key} the run. */
    void reportErrors(String what, String key) {
      if (firstError != null) {
        System.err.println("  ! " + errors + " failed " + what + " in " + key + ", first: " + firstError);
      }
    }
  }

  private WriteWindow() {}

  /**
   * Starts one platform thread per writer (named {@code threadName-N}), opens the window when all
   * are started, closes it after {@code durationS} seconds and waits for the writers to stop.
   */
  static Outcome measure(String threadName, List<Writer> writers, Meter meter, long cores, int durationS)
      throws SQLException, InterruptedException {
    var counts = new AtomicLongArray(writers.size() * SLOT);
    var errors = new AtomicLongArray(writers.size() * SLOT);
    var firstError = new AtomicReference<Throwable>();
    var go = new CountDownLatch(1);
    var stop = new AtomicBoolean();
    var tallies = new ArrayList<Tally>();
    var threads = new ArrayList<Thread>();
    for (int w = 0; w < writers.size(); w++) {
      var tally = new Tally(counts, errors, w * SLOT, stop, firstError);
      var writer = writers.get(w);
      tallies.add(tally);
      threads.add(Thread.ofPlatform().name(threadName + "-" + w).start(() -> {
        try {
          go.await();
          writer.run(tally);
        } catch (Exception e) {
          firstError.compareAndSet(null, e);
        }
      }));
    }
    var before = meter.snapshot();
    long t0 = System.nanoTime();
    go.countDown();
    Thread.sleep(durationS * 1000L);
    long writes = sum(counts, writers.size());
    long t1 = System.nanoTime();
    var after = meter.snapshot();
    stop.set(true);
    for (var t : threads) {
      t.join();
    }
    var latencies = tallies.stream().flatMapToLong(t -> Arrays.stream(t.latencies())).sorted().toArray();
    return new Outcome(
        writes, sum(errors, writers.size()), firstError.get(), (t1 - t0) / 1e9, latencies,
        meter.between(before, after, cores));
  }

  private static long sum(AtomicLongArray slots, int writers) {
    long sum = 0;
    for (int w = 0; w < writers; w++) {
      sum += slots.get(w * SLOT);
    }
    return sum;
  }
}
