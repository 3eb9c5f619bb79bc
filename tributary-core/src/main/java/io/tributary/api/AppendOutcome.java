package io.tributary.api;

/**
 * Result of an append.
 *
 * @param id the new frame's id
 * @param frameCount lifetime number of frames appended to the stream (never lowered by trims)
 * @param summaryVersion the summary version after this delta; null unless DurableSummary
 */
public record AppendOutcome(EntryId id, long frameCount, Long summaryVersion) {}
