package io.tributary.postgres;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One named-stream append waiting for the {@link NamedStreamCommitter}, and where its outcome goes.
 *
 * <p>Like an attempt-stream append it has a deadline from the moment it was queued; until the
 * committer {@linkplain #claim() claims} it for a statement it can {@linkplain #expire expire}
 * instead, and exactly one of the two wins, so an expired append was never sent.
 */
final class NamedAppendRequest {
  private static final int QUEUED = 0;
  private static final int SENT = 1;
  private static final int EXPIRED = 2;

  private final String path;
  private final NamedStreamAppend append;
  private final long deadlineNanos;
  private final CompletableFuture<NamedStreamAppendResult> result = new CompletableFuture<>();
  private final AtomicInteger state = new AtomicInteger(QUEUED);

  NamedAppendRequest(String path, NamedStreamAppend append, long deadlineNanos) {
    this.path = path;
    this.append = append;
    this.deadlineNanos = deadlineNanos;
  }

  String path() {
    return path;
  }

  NamedStreamAppend append() {
    return append;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  CompletableFuture<NamedStreamAppendResult> result() {
    return result;
  }

  /** Takes the append for a statement; false when it already expired (then skip it). */
  boolean claim() {
    return state.compareAndSet(QUEUED, SENT);
  }

  /** True when its deadline passed at {@code nowNanos}. */
  boolean isOverdue(long nowNanos) {
    return nowNanos - deadlineNanos >= 0;
  }

  /** Fails the append with {@code reason} unless it was already claimed (then it waits). */
  boolean expire(RuntimeException reason) {
    if (state.compareAndSet(QUEUED, EXPIRED)) {
      result.completeExceptionally(reason);
      return true;
    }
    return false;
  }
}
