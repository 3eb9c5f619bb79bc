package io.tributary.api;

/**
 * Knobs of BestEffortLive mode: frames live about {@code ttlMs}; the store keeps the newest K
 * best-effort frames, K = clamp(ceil(rate * ttl_s * 2), floor, ceiling) where rate is an EMA of
 * the append rate with weight {@code emaAlpha}.
 *
 * <p>Out-of-range knobs are sanitised at append time, as the reference does: floor or ceiling
 * {@code <= 0} take the defaults, alpha outside (0, 1] becomes 0.2, and a ceiling below the floor
 * is raised to the floor.
 */
public record BestEffortLiveConfig(long ttlMs, long maxlenFloor, long maxlenCeiling, double emaAlpha) {
  public static final long DEFAULT_MAXLEN_FLOOR = 64;
  public static final long DEFAULT_MAXLEN_CEILING = 16_384;
  public static final double DEFAULT_EMA_ALPHA = 0.2;

  public BestEffortLiveConfig {
    if (ttlMs < 0 || ttlMs > 0xFFFF_FFFFL) {
      throw ValidationException.invalid("ttl_ms must be a u32, got " + ttlMs);
    }
  }

  /** A config with the given ttl and default floor, ceiling and alpha. */
  public static BestEffortLiveConfig withTtl(long ttlMs) {
    return new BestEffortLiveConfig(
        ttlMs, DEFAULT_MAXLEN_FLOOR, DEFAULT_MAXLEN_CEILING, DEFAULT_EMA_ALPHA);
  }

  public BestEffortLiveConfig withMaxlenFloor(long floor) {
    return new BestEffortLiveConfig(ttlMs, floor, maxlenCeiling, emaAlpha);
  }

  public BestEffortLiveConfig withMaxlenCeiling(long ceiling) {
    return new BestEffortLiveConfig(ttlMs, maxlenFloor, ceiling, emaAlpha);
  }

  public BestEffortLiveConfig withEmaAlpha(double alpha) {
    return new BestEffortLiveConfig(ttlMs, maxlenFloor, maxlenCeiling, alpha);
  }

  /** The knobs after the reference's sanitising rules. */
  public BestEffortLiveConfig sanitised() {
    long floor = maxlenFloor <= 0 ? DEFAULT_MAXLEN_FLOOR : maxlenFloor;
    long ceiling = maxlenCeiling <= 0 ? DEFAULT_MAXLEN_CEILING : maxlenCeiling;
    double alpha = !(emaAlpha > 0 && emaAlpha <= 1) ? DEFAULT_EMA_ALPHA : emaAlpha;
    return new BestEffortLiveConfig(ttlMs, floor, Math.max(ceiling, floor), alpha);
  }
}
