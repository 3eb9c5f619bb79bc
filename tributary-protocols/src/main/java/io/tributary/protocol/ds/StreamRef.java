package io.tributary.protocol.ds;

import java.time.Duration;

/**
 * One stream of either kind (named, or an attempt's), as a read request addresses it: what the
 * shared read path needs to read it. Refusals (no such stream, deleted, offset gone or past the
 * tail) are thrown as {@link ReadRefused} with the answer to give.
 *
 * @param <P> the kind's position type
 */
interface StreamRef<P> {
  /** Identifies the stream among all streams of both kinds; live readers of one key share reads. */
  String key();

  /** The position an offset names; null for {@code now} (the tail at the time of the read). */
  P position(DsOffset offset);

  /**
   * Reads after {@code after} without waiting; {@code after == null} reads nothing at the current
   * tail. {@code fromStart}: the reader asked for {@code -1}, so frames already trimmed away are
   * skipped rather than refused.
   */
  DsPage<P> read(P after, boolean fromStart);

  /** Like {@link #read}, but waits up to {@code wait} (holding no connection) while nothing follows. */
  DsPage<P> await(P after, boolean fromStart, Duration wait) throws InterruptedException;

  /** Entity-tag form of a position. */
  Object etagPosition(P position);
}
