package io.tributary.contract;

/**
 * Seeds for the property tests: {@code -Dseed=N} replays a run, otherwise every run draws a fresh
 * seed. Failures always name the seed.
 */
public final class Seeds {
  private Seeds() {}

  public static long seed() {
    String s = System.getProperty("seed");
    if (s != null && !s.isBlank()) {
      return Long.parseLong(s.strip());
    }
    return System.nanoTime() ^ Double.doubleToLongBits(Math.random());
  }

  public static String replay(long seed) {
    return "seed=" + seed + " (replay with -Dseed=" + seed + ")";
  }
}
