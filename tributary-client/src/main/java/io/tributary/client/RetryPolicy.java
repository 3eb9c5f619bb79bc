package io.tributary.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a request is repeated when the server answers {@code
 * retryable: true} (429, 503) or cannot be reached. Delays grow exponentially from {@code
 * initialBackoff} to {@code maxBackoff}, with jitter; a {@code Retry-After} header wins.
 *
 * @param maxAttempts tries in all, the first included (1 disables retries)
 * @param initialBackoff delay before the second try
 * @param maxBackoff longest delay between two tries
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  /** 12 tries over about 20 s: long enough to ride out a server restart. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(12, Duration.ofMillis(100), Duration.ofSeconds(2));

  /** No retries at all. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  /** Checks the bounds. */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    if (initialBackoff == null || maxBackoff == null || initialBackoff.isNegative()
        || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoffs must satisfy 0 <= initial <= max");
    }
  }

  /** The delay before try number {@code attempt + 1} (attempt counts from 1), with jitter. */
  Duration delayAfter(int attempt) {
    long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(Math.max(base, 0), maxBackoff.toMillis());
    // full jitter on the upper half keeps retries of many clients from marching in step
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    return Duration.ofMillis(jittered);
  }
}
