package io.tributary.postgres;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a queued append's outcome goes, and its deadline. Until a committer {@linkplain #claim()
 * claims} the append for a statement it can {@linkplain #expire expire} instead; exactly one of the
 * two wins, so an expired append was never sent and can truthfully be reported "not stored".
 *
 * @param <T> the outcome of one append of its kind
 */
final class AppendTicket<T> {
  private static final int QUEUED = 0;
  private static final int SENT = 1;
  private static final int EXPIRED = 2;

  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final AtomicInteger state = new AtomicInteger(QUEUED);
  private final long deadlineNanos;

  /** A ticket whose append fails, if still queued, once {@link System#nanoTime()} passes this. */
  AppendTicket(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  CompletableFuture<T> result() {
    return result;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /** Takes the append for a statement; false when it already expired (then skip it). */
  boolean claim() {
    return state.compareAndSet(QUEUED, SENT);
  }

  /** True when its deadline passed at {@code nowNanos}. */
  boolean isOverdue(long nowNanos) {
    return nowNanos - deadlineNanos >= 0;
  }

  /**
   * Fails the append with {@code reason} unless it was already claimed; a claimed append waits for
   * its statement's real outcome instead.
   *
   * @return true when this call expired it
   */
  boolean expire(RuntimeException reason) {
    if (state.compareAndSet(QUEUED, EXPIRED)) {
      result.completeExceptionally(reason);
      return true;
    }
    return false;
  }
}
