package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import io.tributary.api.BestEffortLiveConfig;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StreamMode;
import java.util.concurrent.CompletableFuture;

/**
 * One validated append waiting for the group committer, and where its outcome goes. {@code
 * idempotencyKey} and {@code fingerprint} are both null for an unnamed append.
 *
 * @param ticket its outcome and deadline (from the moment it was queued)
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
    AppendTicket<AppendOutcome> ticket) implements QueuedAppend {

  static final short DURABLE = 0;
  static final short SUMMARY = 1;
  static final short BEST_EFFORT = 2;

  CompletableFuture<AppendOutcome> result() {
    return ticket.result();
  }

  @Override
  public int streamHash() {
    var eid = handle.executionId();
    return 31 * (31 * eid.uuid().hashCode() + eid.partition()) + Long.hashCode(handle.attemptIndex());
  }

  @Override
  public long payloadBytes() {
    return payload.length;
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
        new AppendTicket<>(deadlineNanos));
  }

  /** Lock order for a batch: by stream identity, so concurrent batches never deadlock. */
  static int lockOrder(AppendRequest a, AppendRequest b) {
    int c = a.handle.executionId().uuid().compareTo(b.handle.executionId().uuid());
    if (c == 0) {
      c = Integer.compare(a.handle.executionId().partition(), b.handle.executionId().partition());
    }
    return c != 0 ? c : Long.compare(a.handle.attemptIndex(), b.handle.attemptIndex());
  }
}
