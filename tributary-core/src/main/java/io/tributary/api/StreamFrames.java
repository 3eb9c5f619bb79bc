package io.tributary.api;

import java.util.List;

/**
 * A batch of frames plus the stream's close markers.
 *
 * @param frames oldest first
 * @param closedAt close time in ms, null while open
 * @param closedReason why it closed (see {@link CloseReason}), null while open
 */
public record StreamFrames(List<StreamFrame> frames, Long closedAt, String closedReason) {
  public StreamFrames {
    frames = List.copyOf(frames);
  }

  public static StreamFrames empty() {
    return new StreamFrames(List.of(), null, null);
  }

  public boolean isClosed() {
    return closedAt != null;
  }
}
