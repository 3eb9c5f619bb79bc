package io.tributary.api;

import java.time.Duration;

/**
 * Named, URL-addressed byte (or JSON message) streams, as the Durable Streams protocol sees them:
 * create, append, read from a position, wait for more, close, fork and delete.
 *
 * <p>Positions are byte offsets from the start of the stream; a fork shares its source's positions
 * up to the fork point. Every operation is atomic per stream, and all state lives in the database,
 * so several processes can serve the same streams. Thread-safe.
 *
 * <p>The sibling of {@link StreamStore}, with one difference of style on purpose: the outcomes of
 * the Durable Streams protocol (exists, conflict, duplicate, stale epoch, gone …) are results
 * with a status, not exceptions, because the protocol answers each with its own response and
 * several of them are successes; only bad arguments ({@link IllegalArgumentException}) and an
 * unreachable storage ({@link UnavailableException}) throw.
 */
public interface NamedStreamStore extends AutoCloseable {
  /** Pass as the read position to start at the stream's current tail (no data is returned). */
  long TAIL = -1;

  /**
   * Creates a stream at {@code path}, or confirms an identical one.
   *
   * <p>An existing stream with the same content type (compared without parameters, ignoring
   * case), expiry, closed state and fork parameters gives {@link NamedStreamCreation.Status#EXISTS}
   * and is left as it is (the initial messages are not appended again). An expired stream at the
   * path is replaced. A fork inherits its source's content up to the fork point, its content type
   * when none is given, and its TTL or expiry when neither is given; it starts open, with no
   * producer or Stream-Seq state.
   */
  NamedStreamCreation create(String path, NamedStreamSpec spec);

  /**
   * Appends to the stream at {@code path} and/or closes it, atomically with the producer and
   * Stream-Seq checks. A successful append refreshes a sliding TTL and wakes waiting readers.
   *
   * <p>Checks, in order: the stream exists and is live; a stale producer epoch; a producer retry
   * (answered as {@link NamedStreamAppendResult.Status#DUPLICATE}, even on a closed stream); the
   * stream is open (a plain close-only request on a closed stream is {@link
   * NamedStreamAppendResult.Status#ALREADY_CLOSED}); producer sequence rules; content type (not
   * for close-only); Stream-Seq.
   */
  NamedStreamAppendResult append(String path, NamedStreamAppend append);

  /**
   * Reads what follows position {@code after} (or nothing, from the tail, with {@link #TAIL}),
   * at most about {@code maxBytes} but at least one frame when there is one. Refreshes a sliding
   * TTL.
   *
   * <p>A position inside a byte frame returns the rest of that frame; inside a JSON message, the
   * messages after it. A position past the tail gives {@link NamedStreamRead.Status#BEYOND_TAIL}.
   *
   * @throws IllegalArgumentException for a negative position other than {@link #TAIL}
   */
  NamedStreamRead read(String path, long after, int maxBytes);

  /**
   * Like {@link #read}, but when nothing follows {@code after} and the stream is open, waits up
   * to {@code maxWait} for an append, a close or a delete, then reads again. Holds no database
   * connection while waiting. Returns with no frames when the time is up; with {@link
   * NamedStreamRead.Status#NOT_FOUND} when the stream disappeared (or was replaced) meanwhile.
   *
   * @throws InterruptedException when the waiting thread is interrupted
   */
  NamedStreamRead await(String path, long after, int maxBytes, Duration maxWait)
      throws InterruptedException;

  /**
   * The stream's metadata without reading data or refreshing its TTL ({@code HEAD}). The result
   * has no frames and {@code nextPos} equal to the tail.
   */
  NamedStreamRead head(String path);

  /**
   * Deletes the stream at {@code path}. While forks still read it, it is only hidden: its URL
   * answers {@link NamedStreamDeletion#GONE} and cannot be reused until its last fork is gone.
   */
  NamedStreamDeletion delete(String path);

  /**
   * Retires up to {@code limit} streams whose TTL or expiry has passed and that nobody touched
   * since (expired streams are also retired lazily on access).
   *
   * @return how many were retired
   */
  int expireStreams(int limit);

  /**
   * Stops the store: parked awaits return. A store reached through {@link Tributary} is closed by
   * it; one opened on its own also releases its storage.
   */
  @Override
  void close();
}
