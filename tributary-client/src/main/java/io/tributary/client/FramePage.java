package io.tributary.client;

import java.util.List;

/**
 * One answer of a read or tail.
 *
 * @param frames the frames, oldest first
 * @param closedReason why the attempt was closed, or null while it is open
 */
public record FramePage(List<StoredFrame> frames, String closedReason) {
  /** Whether the attempt is closed. */
  public boolean closed() {
    return closedReason != null;
  }
}
