package io.tributary.cli;

import io.tributary.client.NotFoundException;
import io.tributary.client.TributaryClient;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The attempt a reading command is about: {@code EXEC [--attempt N]}, the latest by default. */
final class AttemptArgs {
  @Parameters(index = "0", paramLabel = "EXEC", description = "Execution id.")
  String executionId;

  @Option(names = "--attempt", description = "Attempt index (default: the latest).")
  Long attempt;

  /** The attempt given, or the latest one started; {@link NotFoundException} when there is none. */
  long index(TributaryClient client) {
    if (attempt != null) {
      return attempt;
    }
    return client
        .latestAttempt(executionId)
        .orElseThrow(
            () -> new NotFoundException(404, "not_found", "execution " + executionId + " has no attempt", false));
  }
}
