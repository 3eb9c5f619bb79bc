package io.tributary.api;

/**
 * One attempt of one execution: the address of an attempt stream, text form {@code
 * <execution id>/<attempt index>}.
 *
 * @param attemptIndex 0 for the first attempt; never negative (handles carry a u32, but an address
 *     may name an attempt that does not exist)
 */
public record AttemptRef(ExecutionId executionId, long attemptIndex) {
  public AttemptRef {
    if (executionId == null) {
      throw ValidationException.invalid("an attempt needs an execution id");
    }
    if (attemptIndex < 0) {
      throw ValidationException.invalid("attempt index must be >= 0, got " + attemptIndex);
    }
  }

  @Override
  public String toString() {
    return executionId + "/" + attemptIndex;
  }
}
