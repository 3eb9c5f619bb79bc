package io.tributary.postgres;

import java.sql.Connection;
import java.util.List;

/**
 * The part of group commit that depends on the kind of append: how a batch is bound, sent as one
 * statement and its per-append results handed out. The {@link GroupCommitter} does the rest
 * (queues, threads, deadlines, the reaper, the idle path).
 *
 * @param <R> the append kind
 */
interface BatchWriter<R extends QueuedAppend> {
  /**
   * Sends claimed appends (none expired, none sent before) as one autocommitted statement on
   * {@code c} and completes every one's ticket: with its outcome, or exceptionally. Never throws
   * for a failed statement; may send smaller statements (e.g. one per append) after a failure.
   */
  void write(Connection c, List<R> claimed);

  /** Thread-name prefix of its committers, e.g. {@code tributary-committer}. */
  String threadName();

  /** Payload bytes one batch gathers at most (a single larger append still goes alone). */
  default long maxBatchBytes() {
    return Long.MAX_VALUE;
  }

  /**
   * Longest a batch smaller than the one before it waits for the rest (0: never). Why: the writers
   * of the last batch were all answered at once and come back with their next appends a round trip
   * later; without the wait the first of them would go out alone and the others would queue
   * behind its commit (a WAL flush), halving the batches under load. A lone writer (previous batch
   * of one) never waits.
   */
  default long lingerNanos() {
    return 0;
  }
}
