package io.tributary.client;

import java.util.List;

/**
 * One execution and all of its attempts.
 *
 * @param execution the execution as the list shows it
 * @param attempts its attempts, oldest first
 */
public record ExecutionDetails(ExecutionSummary execution, List<AttemptSummary> attempts) {
  public ExecutionDetails {
    attempts = List.copyOf(attempts);
  }
}
