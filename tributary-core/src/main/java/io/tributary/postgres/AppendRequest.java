package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import io.tributary.api.BestEffortLiveConfig;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StreamMode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One validated append waiting for the group committer, and where its outcome goes. {@code
 * idempotencyKey} and {@code fingerprint} are both null for an unnamed append.
 *
 * <p>It has a deadline from the moment it was queued. Until the committer {@linkplain #claim()
 * claims} it for a statement, it can {@linkplain #expire expire} instead; exactly one of the two
 * wins, so an expired append was never sent and can truthfully be reported "not stored".
 *
 * @param deadlineNanos {@link System#nanoTime()} after which a still-queued append fails
 */
record AppendRequest(
    Handle handle,
    short mode,
    String frameType,
    byte[] payload,
    String correlationId,
    BestEffortLiveConfig bestEffort,
    String idempotencyKey,
    byte[] fingerprint,
    CompletableFuture<AppendOutcome> result,
    long deadlineNanos,
    AtomicInteger state) {

  static final short DURABLE = 0;
  static final short SUMMARY = 1;
  static final short BEST_EFFORT = 2;

  private static final int QUEUED = 0;
  private static final int SENT = 1;
  private static final int EXPIRED = 2;

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

  static AppendRequest of(Handle handle, Frame frame, byte[] payload, long deadlineNanos) {
    short mode;
    BestEffortLiveConfig be = null;
    switch (frame.mode()) {
      case StreamMode.Durable d -> mode = DURABLE;
      case StreamMode.DurableSummary s -> mode = SUMMARY;
      case StreamMode.BestEffortLive b -> {
        mode = BEST_EFFORT;
        be = b.config().sanitised();
      }
    }
    String key = frame.idempotencyKey();
    String frameType = frame.effectiveFrameType();
    return new AppendRequest(
        handle,
        mode,
        frameType,
        payload,
        frame.correlationId(),
        be,
        key,
        key == null ? null : AppendFingerprint.of(mode, frameType, frame.correlationId(), payload),
        new CompletableFuture<>(),
        deadlineNanos,
        new AtomicInteger(QUEUED));
  }

  /** Lock order for a batch: by stream identity, so concurrent batches never deadlock. */
  static int lockOrder(AppendRequest a, AppendRequest b) {
    int c = a.handle.executionId().uuid().compareTo(b.handle.executionId().uuid());
    return c != 0 ? c : Long.compare(a.handle.attemptIndex(), b.handle.attemptIndex());
  }
}
