package io.tributary.api;

/**
 * One attempt of one execution: the address of an attempt stream, text form {@code
 * <execution id>/<attempt index>}.
 *
 * @param attemptIndex 0 for the first attempt, a u32
 */
public record AttemptRef(ExecutionId executionId, long attemptIndex) {
  public AttemptRef {
    if (executionId == null) {
      throw ValidationException.invalid("an attempt needs an execution id");
    }
    if (attemptIndex < 0 || attemptIndex > 0xFFFF_FFFFL) {
      throw ValidationException.invalid("attempt index must be a u32, got " + attemptIndex);
    }
  }

  @Override
  public String toString() {
    return executionId + "/" + attemptIndex;
  }
}
