package io.tributary.api;

import java.util.List;
import java.util.Objects;

/**
 * One execution with all of its attempts.
 *
 * @param execution the execution as the list shows it
 * @param attempts every attempt, oldest first
 */
public record ExecutionDetail(ExecutionInfo execution, List<AttemptInfo> attempts) {
  public ExecutionDetail {
    Objects.requireNonNull(execution, "execution");
    attempts = List.copyOf(attempts);
  }
}
