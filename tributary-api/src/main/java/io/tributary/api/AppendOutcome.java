package io.tributary.api;

/**
 * Result of an append.
 *
 * @param id the new frame's id; for a replay, the id the first append got
 * @param frameCount lifetime number of frames appended to the stream (never lowered by trims); for
 *     a replay, the count right after the first append
 * @param summaryVersion the summary version after this delta; null unless DurableSummary
 * @param replayed true when the frame's idempotency key had already committed: nothing was
 *     written and the other fields are the first append's
 */
public record AppendOutcome(EntryId id, long frameCount, Long summaryVersion, boolean replayed) {
  /** The outcome of an append that wrote its frame. */
  public AppendOutcome(EntryId id, long frameCount, Long summaryVersion) {
    this(id, frameCount, summaryVersion, false);
  }
}
