package io.tributary.protocol.rest;

import java.time.Duration;

/**
 * Frozen settings of the FlowFabric REST handler.
 *
 * @param maxStreamOps how many reads and tails may run at once; more answer 429 (FlowFabric's
 *     {@code FF_MAX_CONCURRENT_STREAM_OPS})
 * @param defaultLeaseTtl lease length when a start, renew or reclaim body names none
 * @param maxLeaseTtl the longest lease a client may ask for
 */
public record RestConfig(int maxStreamOps, Duration defaultLeaseTtl, Duration maxLeaseTtl) {
  public static final int DEFAULT_MAX_STREAM_OPS = 64;
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_LEASE_TTL = Duration.ofHours(24);

  public RestConfig {
    if (maxStreamOps < 1) {
      throw new IllegalArgumentException("maxStreamOps must be >= 1, got " + maxStreamOps);
    }
    if (defaultLeaseTtl == null || defaultLeaseTtl.toMillis() < 1) {
      throw new IllegalArgumentException("defaultLeaseTtl must be at least 1 ms");
    }
    if (maxLeaseTtl == null || maxLeaseTtl.compareTo(defaultLeaseTtl) < 0) {
      throw new IllegalArgumentException("maxLeaseTtl must be >= defaultLeaseTtl");
    }
  }

  /** All defaults. */
  public static RestConfig defaults() {
    return new RestConfig(DEFAULT_MAX_STREAM_OPS, DEFAULT_LEASE_TTL, DEFAULT_MAX_LEASE_TTL);
  }

  /** The defaults with another stream-op limit. */
  public static RestConfig withMaxStreamOps(int maxStreamOps) {
    return new RestConfig(maxStreamOps, DEFAULT_LEASE_TTL, DEFAULT_MAX_LEASE_TTL);
  }
}
