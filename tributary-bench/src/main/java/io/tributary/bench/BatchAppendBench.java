package io.tributary.bench;

import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.postgres.StoreConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The library half of the REST batch route, without HTTP: one thread calling {@code appendAll}
 * with batches of K durable 100-byte frames on one attempt stream for a fixed time, as one HTTP
 * client with batches of K does. Next to {@code scripts/bench-http.sh}'s REST figure it tells what
 * the HTTP stack and request parsing cost. Prints one JSON line.
 *
 * <p>Arguments: JDBC URL (user in the URL), seconds, batch size K, warm-up seconds (default 3).
 */
public final class BatchAppendBench {
  private BatchAppendBench() {}

  public static void main(String[] args) {
    String url = args[0];
    double seconds = Double.parseDouble(args[1]);
    int k = Integer.parseInt(args[2]);
    double warmup = args.length > 3 ? Double.parseDouble(args[3]) : 3;
    var payload = new byte[TributaryRunner.PAYLOAD_BYTES];
    Arrays.fill(payload, (byte) 'x');
    var frames = new ArrayList<Frame>(k);
    for (int i = 0; i < k; i++) {
      frames.add(Frame.of("log", payload));
    }
    try (var store = PostgresStreamStore.open(StoreConfig.builder(url).build())) {
      var h = store.startAttempt(ExecutionId.random(0), Duration.ofHours(1));
      long stop = System.nanoTime() + (long) (warmup * 1e9);
      while (System.nanoTime() < stop) {
        store.appendAll(h, frames);
      }
      var latencies = new ArrayList<Long>();
      long start = System.nanoTime();
      stop = start + (long) (seconds * 1e9);
      while (System.nanoTime() < stop) {
        long t = System.nanoTime();
        store.appendAll(h, frames);
        latencies.add(System.nanoTime() - t);
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      latencies.sort(null);
      System.out.printf(
          "{\"name\":\"library\",\"phase\":\"appendAll\",\"batch\":%d,\"frames_per_s\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f}%n",
          k,
          Math.round(latencies.size() * k / elapsed),
          latencies.get(latencies.size() / 2) / 1e6,
          latencies.get((int) (latencies.size() * 0.99)) / 1e6);
    }
  }
}
