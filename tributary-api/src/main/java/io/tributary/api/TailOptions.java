package io.tributary.api;

import java.time.Duration;

/**
 * How a {@linkplain StreamStore#tail(AttemptRef, StreamCursor, TailOptions) tail} waits and what
 * it returns. Immutable; start from {@link #waitingUpTo(Duration)}.
 *
 * @param block longest wait for the first frame: zero peeks, at most {@value
 *     StreamStore#MAX_TAIL_BLOCK_MS} ms
 * @param limit most frames returned, 1..{@value StreamStore#READ_HARD_CAP}
 * @param visibility which frames the tail returns
 */
public record TailOptions(Duration block, int limit, TailVisibility visibility) {
  /** Frames a tail returns unless told otherwise. */
  public static final int DEFAULT_LIMIT = 100;

  public TailOptions {
    if (block == null) {
      throw ValidationException.invalid("a tail needs a block duration (zero to peek)");
    }
    if (visibility == null) {
      visibility = TailVisibility.ALL;
    }
  }

  /** Waits up to {@code block}, at most {@value #DEFAULT_LIMIT} frames, every mode. */
  public static TailOptions waitingUpTo(Duration block) {
    return new TailOptions(block, DEFAULT_LIMIT, TailVisibility.ALL);
  }

  /** Returns at once with what is there. */
  public static TailOptions peek() {
    return waitingUpTo(Duration.ZERO);
  }

  public TailOptions withLimit(int limit) {
    return new TailOptions(block, limit, visibility);
  }

  public TailOptions withVisibility(TailVisibility visibility) {
    return new TailOptions(block, limit, visibility);
  }
}
