package io.tributary.api;

import java.util.Objects;
import java.util.Optional;

/**
 * An execution as the execution list shows it: when it was created and its current attempt.
 *
 * @param executionId the execution
 * @param createdAtMs when its first attempt started (ms since the epoch)
 * @param attemptCount attempts started so far
 * @param currentAttempt the newest attempt, or null when none was started yet
 */
public record ExecutionInfo(
    ExecutionId executionId, long createdAtMs, long attemptCount, AttemptInfo currentAttempt) {

  public ExecutionInfo {
    Objects.requireNonNull(executionId, "executionId");
  }

  /** The newest attempt, empty when none was started yet. */
  public Optional<AttemptInfo> current() {
    return Optional.ofNullable(currentAttempt);
  }

  /** The current attempt's state: open while it is open, and when there is no attempt yet. */
  public boolean open() {
    return currentAttempt == null || currentAttempt.open();
  }
}
