package io.tributary.api;

/**
 * What is known about an attempt stream without reading its frames.
 *
 * @param lastId id of the newest frame ever appended ({@code 0-0} when none); stays put when
 *     trimming or expiry removes that frame
 * @param frameCount lifetime number of appends
 * @param totalBytes lifetime payload bytes
 * @param createdAtMs when the attempt started
 * @param closedAt close time in ms, null while open
 * @param closedReason why it closed, null while open
 */
public record StreamHead(
    EntryId lastId,
    long frameCount,
    long totalBytes,
    long createdAtMs,
    Long closedAt,
    String closedReason) {
  public boolean isClosed() {
    return closedAt != null;
  }
}
