package io.tributary.api;

import java.util.List;

/**
 * A read of a named stream.
 *
 * @param status whether the stream could be read
 * @param info the stream's metadata when {@link Status#OK} or {@link Status#BEYOND_TAIL}, else null
 * @param frames the data after the requested position, oldest first (possibly fewer than exist)
 * @param nextPos where to continue reading: the last frame's end, or the requested position when
 *     nothing was returned
 */
public record NamedStreamRead(
    Status status, NamedStreamInfo info, List<NamedStreamFrame> frames, long nextPos) {

  public NamedStreamRead {
    frames = List.copyOf(frames);
  }

  /** Whether a read found its stream. */
  public enum Status {
    OK,
    /** No stream at the URL (or it expired). */
    NOT_FOUND,
    /** The stream was deleted but is kept for its forks. */
    GONE,
    /** The requested position lies past the stream's tail. */
    BEYOND_TAIL
  }

  /** A read that found no readable stream (or a position past its tail), with no data. */
  public static NamedStreamRead without(Status status, NamedStreamInfo info, long pos) {
    return new NamedStreamRead(status, info, List.of(), pos);
  }

  /** True when this read reached the tail the stream had when it was read. */
  public boolean upToDate() {
    return info != null && nextPos == info.tailPos();
  }

  /** True when the stream is closed and this read reached its end. */
  public boolean endOfStream() {
    return upToDate() && info.closed();
  }
}
