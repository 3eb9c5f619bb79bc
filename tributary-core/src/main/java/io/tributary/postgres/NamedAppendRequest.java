package io.tributary.postgres;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import java.util.concurrent.CompletableFuture;

/**
 * One named-stream append waiting for its {@link GroupCommitter}, and where its outcome goes.
 *
 * @param path the stream's path
 * @param append what to append (and/or whether to close)
 * @param ticket its outcome and deadline
 */
record NamedAppendRequest(String path, NamedStreamAppend append, AppendTicket<NamedStreamAppendResult> ticket)
    implements QueuedAppend {

  /** An append to {@code path} that fails, if still queued, once {@code deadlineNanos} passes. */
  NamedAppendRequest(String path, NamedStreamAppend append, long deadlineNanos) {
    this(path, append, new AppendTicket<>(deadlineNanos));
  }

  CompletableFuture<NamedStreamAppendResult> result() {
    return ticket.result();
  }

  @Override
  public int streamHash() {
    return path.hashCode();
  }

  @Override
  public long payloadBytes() {
    long n = 0;
    for (var m : append.messages()) {
      n += m.length;
    }
    return n;
  }
}
