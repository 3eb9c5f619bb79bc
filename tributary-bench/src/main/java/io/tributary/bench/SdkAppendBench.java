package io.tributary.bench;

import io.tributary.client.Producer;
import io.tributary.client.TributaryClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The SDK side of {@code scripts/bench-http.sh}: pipelined appends through {@code tributary-client}
 * (an idempotent {@link Producer} on a new named byte stream) for a fixed time, in windows of
 * {@value #WINDOW} appends sent without waiting, then flushed and awaited, as the TypeScript
 * producer's side of the benchmark does. The producer has its default settings ({@link
 * Producer#DEFAULT_LINGER}, {@link Producer#DEFAULT_MAX_IN_FLIGHT}), as the TS one has its own.
 * Prints one JSON line.
 *
 * <p>Arguments: base URL, seconds, payload bytes, name for the output line, unmeasured warm-up
 * seconds first (default 1; the generator's TS side takes the same).
 */
public final class SdkAppendBench {
  /** Appends sent before waiting for them (the generator's TS producer uses the same window). */
  static final int WINDOW = 1024;

  private SdkAppendBench() {}

  /** The sequence number of the last request of the last window (requests = its growth + 1). */
  private static long lastSeq = -1;

  /** Appends windows of {@link #WINDOW} for {@code seconds}; returns how many were stored. */
  private static long appendFor(Producer producer, byte[] payload, double seconds) {
    long sent = 0;
    long stop = System.nanoTime() + (long) (seconds * 1e9);
    var window = new ArrayList<CompletableFuture<Long>>(WINDOW);
    while (System.nanoTime() < stop) {
      for (int i = 0; i < WINDOW; i++) {
        window.add(producer.appendAsync(payload));
      }
      // as the TS side's `await producer.flush()`: send what lingers, then wait for all of it
      producer.flush();
      CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
      lastSeq = window.get(window.size() - 1).join();
      sent += window.size();
      window.clear();
    }
    return sent;
  }

  public static void main(String[] args) {
    String url = args[0];
    double seconds = Double.parseDouble(args[1]);
    int size = Integer.parseInt(args[2]);
    String name = args.length > 3 ? args[3] : "sdk";
    double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 1.0;
    var payload = new byte[size];
    Arrays.fill(payload, (byte) 'z');
    try (var client = TributaryClient.builder(url).build()) {
      var stream = client.namedStream("bench-sdk-" + System.nanoTime());
      stream.create("application/octet-stream", null);
      var producer = stream.producer("bench-sdk", 0);
      // unmeasured appends first (JIT, connections), as long as the generator's TS side has them
      appendFor(producer, payload, warmup);
      long seq0 = lastSeq;
      long start = System.nanoTime();
      long sent = appendFor(producer, payload, seconds);
      double elapsed = (System.nanoTime() - start) / 1e9;
      var tail = stream.head();
      System.out.printf(
          "{\"name\":\"%s\",\"phase\":\"sdk\",\"appends_per_s\":%d,\"appended\":%d,\"requests\":%d,\"tail\":\"%s\"}%n",
          name, Math.round(sent / elapsed), sent, lastSeq - seq0, tail.nextOffset());
    }
  }
}
