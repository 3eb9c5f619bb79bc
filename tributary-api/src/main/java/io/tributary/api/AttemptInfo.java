package io.tributary.api;

/**
 * One attempt of an execution as discovery reports it: its state, lease and counters.
 *
 * @param attemptIndex 0, 1, 2 … within the execution
 * @param createdAtMs when the attempt started (ms since the epoch)
 * @param leaseEpoch the epoch of the lease it was started (or reclaimed) with
 * @param leaseExpiresAtMs when its lease expires (or expired)
 * @param closedAtMs when it was closed, or null while open
 * @param closeReason why it was closed, or null while open
 * @param frameCount lifetime appends (never lowered by trims)
 * @param totalBytes lifetime payload bytes
 * @param summaryVersion the summary document's version, or null when no summary patch was applied
 * @param lastAppendAtMs the millisecond of the newest frame's id, or null when nothing was appended
 */
public record AttemptInfo(
    long attemptIndex,
    long createdAtMs,
    long leaseEpoch,
    long leaseExpiresAtMs,
    Long closedAtMs,
    CloseReason closeReason,
    long frameCount,
    long totalBytes,
    Long summaryVersion,
    Long lastAppendAtMs) {

  public AttemptInfo {
    if ((closedAtMs == null) != (closeReason == null)) {
      throw new IllegalArgumentException("closedAtMs and closeReason come together");
    }
  }

  /** True until the attempt is closed (an expired lease not yet swept still reads open). */
  public boolean open() {
    return closedAtMs == null;
  }

  /** Same as {@code !open()}. */
  public boolean closed() {
    return !open();
  }
}
