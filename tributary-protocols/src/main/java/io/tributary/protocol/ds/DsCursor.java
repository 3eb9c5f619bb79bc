package io.tributary.protocol.ds;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code Stream-Cursor} of live replies: the number of 20-second intervals since
 * 2024-10-09T00:00:00Z. Caches key long-polls on it, so replies within an interval collapse.
 *
 * <p>A client that echoes a cursor at or past the current interval gets a strictly larger one,
 * pushed ahead by a random jitter (up to an hour), so a cached reply can never feed itself back.
 */
final class DsCursor {
  static final long EPOCH_MS = 1_728_432_000_000L;
  static final long INTERVAL_MS = 20_000;
  private static final int MAX_JITTER_INTERVALS = 180;

  private DsCursor() {}

  /**
   * The cursor to answer with at {@code nowMs}, given the client's {@code cursor} parameter (null
   * or unparsable means none).
   */
  static String next(long nowMs, String echoed) {
    long current = Math.floorDiv(nowMs - EPOCH_MS, INTERVAL_MS);
    long client = parse(echoed);
    if (client >= current) {
      current = client + 1 + ThreadLocalRandom.current().nextInt(MAX_JITTER_INTERVALS);
    }
    return Long.toString(current);
  }

  private static long parse(String echoed) {
    if (echoed == null || echoed.isEmpty() || echoed.length() > 18) {
      return Long.MIN_VALUE;
    }
    for (int i = 0; i < echoed.length(); i++) {
      if (echoed.charAt(i) < '0' || echoed.charAt(i) > '9') {
        return Long.MIN_VALUE;
      }
    }
    return Long.parseLong(echoed);
  }
}
