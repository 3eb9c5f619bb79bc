package io.tributary.api;

import java.util.List;

/**
 * A batch of frames plus the stream's close markers.
 *
 * @param frames oldest first
 * @param closedAt close time in ms, null while open
 * @param closedReason why it closed (see {@link CloseReason}), null while open
 * @param durableTrimmedThrough id of the newest durable frame that retention (the durable cap)
 *     has deleted, {@link EntryId#ZERO} when none: a reader resuming after an earlier id has
 *     missed frames. Summary and best-effort trims do not move it.
 */
public record StreamFrames(
    List<StreamFrame> frames, Long closedAt, String closedReason, EntryId durableTrimmedThrough) {
  public StreamFrames {
    frames = List.copyOf(frames);
    durableTrimmedThrough = durableTrimmedThrough == null ? EntryId.ZERO : durableTrimmedThrough;
  }

  /** Frames of a stream retention never trimmed. */
  public StreamFrames(List<StreamFrame> frames, Long closedAt, String closedReason) {
    this(frames, closedAt, closedReason, EntryId.ZERO);
  }

  public static StreamFrames empty() {
    return new StreamFrames(List.of(), null, null);
  }

  public boolean isClosed() {
    return closedAt != null;
  }

  /** True when retention deleted durable frames after {@code position}: a read from there has a gap. */
  public boolean droppedAfter(EntryId position) {
    return durableTrimmedThrough.compareTo(position) > 0;
  }
}
