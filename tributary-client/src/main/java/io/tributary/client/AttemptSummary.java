package io.tributary.client;

/**
 * One attempt of an execution, as {@code GET /v1/executions/{id}} reports it.
 *
 * @param attemptIndex 0, 1, 2 …
 * @param state {@code open} or {@code closed}
 * @param createdAtMs when it started
 * @param leaseEpoch the epoch of its lease
 * @param leaseExpiresAtMs when its lease expires (or expired)
 * @param closedAtMs when it was closed, or null
 * @param closeReason why it was closed, or null while open
 * @param frameCount lifetime appends
 * @param totalBytes lifetime payload bytes
 * @param summaryVersion its summary's version, or null when it has none
 * @param lastAppendAtMs the millisecond of its newest frame, or null
 */
public record AttemptSummary(
    long attemptIndex,
    String state,
    long createdAtMs,
    long leaseEpoch,
    long leaseExpiresAtMs,
    Long closedAtMs,
    String closeReason,
    long frameCount,
    long totalBytes,
    Long summaryVersion,
    Long lastAppendAtMs) {

  /** True while the attempt is open. */
  public boolean open() {
    return "open".equals(state);
  }
}
