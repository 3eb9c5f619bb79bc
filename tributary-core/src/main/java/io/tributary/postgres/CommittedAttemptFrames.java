package io.tributary.postgres;

import io.tributary.api.StreamFrame;
import io.tributary.api.StreamFrames;
import java.util.List;

/**
 * Plain durable frames this process has just committed to one attempt stream, at consecutive
 * positions from {@code firstPos}: what {@link AttemptStreamSql#READ_RANGE} would return for them
 * right after the commit. A parked tail answers with them only when nothing else was appended to
 * the stream since its last read ({@code countBefore} equals the lifetime frame count it saw), so
 * that they are exactly the frames after its cursor.
 *
 * @param streamId the stream the frames were appended to
 * @param countBefore the stream's lifetime frame count before them
 * @param firstPos the position of the first frame (frame {@code j} is at {@code firstPos + j})
 * @param trimmedPos the stream's durable retention watermark after the commit
 * @param frames the frames, oldest first, as a read returns them
 */
record CommittedAttemptFrames(
    long streamId, long countBefore, long firstPos, long trimmedPos, List<StreamFrame> frames)
    implements HandedFrames {

  /** The durable frames of {@code appends}, committed at {@code nowMs} from {@code firstPos}. */
  static CommittedAttemptFrames of(
      long streamId, long countBefore, long firstPos, long trimmedPos, long nowMs, List<AppendRequest> appends) {
    var frames = new java.util.ArrayList<StreamFrame>(appends.size());
    for (int j = 0; j < appends.size(); j++) {
      var r = appends.get(j);
      frames.add(
          new StreamFrame(
              Positions.toId(firstPos + j), r.frameType(), r.payload(), "durable", r.correlationId(), nowMs, null, null));
    }
    return new CommittedAttemptFrames(streamId, countBefore, firstPos, trimmedPos, List.copyOf(frames));
  }

  /**
   * The read a tail of this stream from position {@code lo} (inclusive), whose last read saw
   * {@code seenCount} frames appended in the stream's lifetime, would make now: these frames; null
   * when they may not be exactly that (another stream, frames appended in between, a cursor past
   * their start, more than {@code limit}, a trim above the cursor) and the reader must query.
   * Durable frames pass every tail's mode filter, so the filter needs no check.
   */
  StreamFrames readFor(long seenStreamId, long seenCount, long lo, int limit) {
    if (seenStreamId != streamId
        || seenCount != countBefore
        || frames.isEmpty()
        || firstPos < lo
        || trimmedPos >= lo
        || frames.size() > limit) {
      return null;
    }
    // the append succeeded, so the stream was open at its commit
    return new StreamFrames(frames, null, null, Positions.toId(trimmedPos));
  }
}
