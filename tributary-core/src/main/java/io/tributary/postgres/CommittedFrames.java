package io.tributary.postgres;

import io.tributary.api.NamedStreamFrame;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.NamedStreamRead;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames this process has just committed to one named stream, contiguous from {@code fromPos} to
 * {@code nextPos}: handed to the stream's parked readers with their wake-up, so that a reader
 * waiting exactly at {@code fromPos} answers with them instead of reading them back. Anything
 * else (another position, another server's append, a notification) still re-queries.
 *
 * @param streamId the stream the frames were appended to
 * @param fromPos the stream's tail before them
 * @param nextPos the tail after them
 * @param closed whether the last of the appends closed the stream
 * @param frames the frames, oldest first, each with its end position
 */
record CommittedFrames(
    long streamId, long fromPos, long nextPos, boolean closed, List<NamedStreamFrame> frames)
    implements HandedFrames {

  /** The frames of one append of {@code payloads} that ended at {@code nextPos}. */
  static CommittedFrames of(long streamId, long nextPos, boolean closed, List<byte[]> payloads) {
    long start = nextPos;
    for (var p : payloads) {
      start -= p.length;
    }
    var frames = new ArrayList<NamedStreamFrame>(payloads.size());
    long end = start;
    for (var p : payloads) {
      end += p.length;
      frames.add(new NamedStreamFrame(end, p));
    }
    return new CommittedFrames(streamId, start, nextPos, closed, List.copyOf(frames));
  }

  /** These frames followed by {@code next}'s; null when {@code next} does not start at this end. */
  CommittedFrames then(CommittedFrames next) {
    if (next.streamId != streamId || next.fromPos != nextPos) {
      return null;
    }
    var all = new ArrayList<NamedStreamFrame>(frames.size() + next.frames.size());
    all.addAll(frames);
    all.addAll(next.frames);
    return new CommittedFrames(streamId, fromPos, next.nextPos, next.closed, List.copyOf(all));
  }

  /**
   * The read a reader of this stream at {@code from}, whose last read saw {@code seen}, would make
   * now: these frames with the tail they end at; null when they do not answer it (another stream
   * or position, more than {@code maxBytes} or {@code maxFrames}), and the reader must query.
   */
  NamedStreamRead readFor(NamedStreamInfo seen, long from, int maxBytes, int maxFrames) {
    if (seen == null
        || seen.id() != streamId
        || from != fromPos
        || frames.isEmpty()
        || maxBytes <= 0
        || nextPos - fromPos > maxBytes
        || frames.size() > maxFrames) {
      return null;
    }
    var info =
        new NamedStreamInfo(
            streamId, seen.contentType(), seen.json(), nextPos, closed, seen.ttlSeconds(), seen.expiresAtMs());
    return new NamedStreamRead(NamedStreamRead.Status.OK, info, frames, nextPos);
  }
}
