package io.tributary.client;

/**
 * What an append committed.
 *
 * @param id the frame's id {@code <ms>-<seq>}
 * @param frameCount the stream's frame count after it
 * @param summaryVersion the summary's version after a summary patch, else null
 * @param replayed true when a retry found the append already committed (nothing was written twice)
 */
public record Appended(String id, long frameCount, Long summaryVersion, boolean replayed) {}
