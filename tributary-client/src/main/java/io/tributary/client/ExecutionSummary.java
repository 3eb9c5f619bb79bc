package io.tributary.client;

/**
 * An execution as {@code GET /v1/executions} lists it; the counters are its current attempt's.
 *
 * @param executionId the execution
 * @param createdAtMs when its first attempt started (ms since the epoch)
 * @param state {@code open} or {@code closed}: the current attempt's state
 * @param attemptCount attempts started so far
 * @param currentAttemptIndex the newest attempt's index, or null when none was started
 * @param closeReason why the current attempt was closed (e.g. {@code attempt_success},
 *     {@code lease_expired}), or null while it is open
 * @param closedAtMs when the current attempt was closed, or null
 * @param frameCount the current attempt's lifetime appends
 * @param totalBytes the current attempt's lifetime payload bytes
 * @param summaryVersion the current attempt's summary version, or null when it has none
 * @param lastAppendAtMs the millisecond of the current attempt's newest frame, or null
 */
public record ExecutionSummary(
    String executionId,
    long createdAtMs,
    String state,
    long attemptCount,
    Long currentAttemptIndex,
    String closeReason,
    Long closedAtMs,
    long frameCount,
    long totalBytes,
    Long summaryVersion,
    Long lastAppendAtMs) {

  /** True while the current attempt is open. */
  public boolean open() {
    return "open".equals(state);
  }
}
