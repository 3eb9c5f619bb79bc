package io.tributary.postgres;

import io.tributary.api.UnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers concurrent appends into one transaction (group commit), for any kind of append: what is
 * kind-specific (binding, the statement, the results) is its {@link BatchWriter}.
 *
 * <p>Why: a commit costs a WAL flush and, with a NOTIFY, takes a cluster-wide lock held until the
 * flush is done, so notifying commits serialise. Appends that arrive while a batch is in flight
 * queue up and go out together in the next one: one statement, one flush, one notification for
 * the whole batch. A single writer sees no added latency (its batch holds just its own append);
 * under load the batch grows by itself, also when one producer keeps many appends in flight. A
 * few committer threads keep more than one batch in flight, which hides the round trip; each owns
 * a share of the streams (by {@link QueuedAppend#streamHash()}), so a stream's appends keep their
 * order.
 *
 * <p>Idle path: a synchronous append whose share of the streams (a stripe, by stream hash) has
 * nothing queued or in flight commits on the caller's own thread ({@link #commitOrSubmit}), so a
 * lone writer pays no hand-off to a committer thread and back. Synchronous writers on different
 * streams combine there ({@link CallerCommits}): while {@link #CALLER_LEADERS} callers' statements
 * are in flight, callers arriving meanwhile wait, and when a statement is done one of the waiting
 * callers commits all of them as one statement on its own thread: one transaction, one WAL flush,
 * one notification for appends of many streams, where each committing alone would make the
 * database CPU-bound on per-transaction work (measured: docs/benchmarks.md, "Cross-stream group
 * commit"). A caller holds its stripe from before it joins until its outcome is known, so
 * anything of the stripe arriving meanwhile goes to the queue, behind it, and a stream's order
 * stays the submission order. Each append in such a batch keeps its own checks (fence, producer,
 * Stream-Seq) and outcome, as in a committer's batch.
 *
 * <p>Outages: every append has a deadline of {@link StoreConfig#dbTimeout()} from the moment it is
 * queued, not per batch. A reaper thread fails appends that are still waiting (queued, waiting
 * for another caller's statement, or in a batch that waits for a connection) when their deadline
 * passes, so an append queued behind a stuck batch does not wait for that batch and then again
 * for its own. A batch that cannot get a connection fails all its appends at once. An append that was already sent to PostgreSQL is never
 * failed by its deadline: it waits for the statement's real outcome, because answering "failed"
 * while it may still commit would break "a 503 means not stored".
 *
 * @param <R> the append kind
 */
final class GroupCommitter<R extends QueuedAppend> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /** Appends waiting per committer; producers wait (up to their deadline) beyond this. */
  static final int QUEUE_CAPACITY = 16_384;

  /** How often the reaper looks for appends past their deadline: the slack of the deadline. */
  static final long REAP_INTERVAL_MS = 50;

  /** Stripes of the stream space for the idle path (a power of two); collisions only cost it. */
  static final int STRIPES = 4_096;

  /**
   * Callers that commit at once on the idle path, per committer; callers arriving meanwhile wait
   * and go out together in the next of these statements. One: on a CPU-bound database fewer,
   * larger transactions win (docs/benchmarks.md, "Cross-stream group commit").
   */
  static final int CALLER_LEADERS = 1;

  private final Database db;
  private final BatchWriter<R> writer;
  private final long timeoutNanos;
  private final int maxBatch;
  private final List<LinkedBlockingQueue<R>> queues = new ArrayList<>();
  /** Per committer: the batch it is getting a connection for (claimed items are skipped). */
  private final AtomicReferenceArray<List<R>> pending;
  private final List<Thread> workers = new ArrayList<>();
  private final Thread reaper;
  /** Per stripe: appends queued or in flight (queued, in a batch, or committing on their caller). */
  private final AtomicIntegerArray busy = new AtomicIntegerArray(STRIPES);
  /** The idle path: synchronous appends committed on their callers' threads, several per statement. */
  private final CallerCommits<R> callers;
  /**
   * Held while appends of the stripe are being sent: by a self-commit for its whole statement, by
   * a committer from before it claims a batch until the batch's outcome. A committer whose batch
   * meets a stripe busy with a self-commit waits with its appends still queued, so the reaper can
   * fail them at their deadline should that statement hang (as a batch queued behind a stuck
   * batch does), and one stream never has two statements in flight.
   */
  private final ReentrantLock[] stripeLocks = new ReentrantLock[STRIPES];
  private volatile boolean running = true;

  /** Starts {@code committers} committer threads and the reaper. */
  GroupCommitter(Database db, int committers, BatchWriter<R> writer) {
    this(db, committers, CALLER_LEADERS, writer);
  }

  /**
   * Starts {@code committers} committer threads and the reaper; at most {@code callerLeaders}
   * callers commit at once on the idle path.
   */
  GroupCommitter(Database db, int committers, int callerLeaders, BatchWriter<R> writer) {
    this.db = db;
    this.writer = writer;
    this.timeoutNanos = db.config().dbTimeout().toNanos();
    this.maxBatch = db.config().maxBatch();
    this.pending = new AtomicReferenceArray<>(committers);
    this.callers = new CallerCommits<>(callerLeaders, db.selfCommits(), maxBatch, writer.maxBatchBytes(), this::send);
    for (int i = 0; i < STRIPES; i++) {
      stripeLocks[i] = new ReentrantLock();
    }
    for (int i = 0; i < committers; i++) {
      var queue = new LinkedBlockingQueue<R>(QUEUE_CAPACITY);
      queues.add(queue);
      int index = i;
      var t = Thread.ofPlatform().daemon().name(writer.threadName() + "-" + i).unstarted(() -> run(index, queue));
      workers.add(t);
      t.start();
    }
    reaper = Thread.ofPlatform().daemon().name(writer.threadName() + "-reaper").unstarted(this::reap);
    reaper.start();
  }

  /** The deadline an append queued now gets. */
  long deadlineFromNow() {
    return System.nanoTime() + timeoutNanos;
  }

  /**
   * Queues an append on the committer that owns its stream, so one stream's appends commit in
   * submission order. While that committer's queue is full it waits, at most until the append's
   * deadline; then the append fails (not stored).
   *
   * @throws UnavailableException (not retryable) once the committer is closed
   */
  void submit(R r) throws InterruptedException {
    if (!running) {
      throw new UnavailableException("store is closed", false, null);
    }
    int hash = r.streamHash();
    track(r, hash & (STRIPES - 1));
    var queue = queues.get(Math.floorMod(hash, queues.size()));
    var ticket = r.ticket();
    if (!queue.offer(r, ticket.deadlineNanos() - System.nanoTime(), TimeUnit.NANOSECONDS)) {
      ticket.expire(notStored("the append queue stayed full"));
    }
  }

  /**
   * Commits the append on the calling thread when nothing of its stripe is queued or in flight,
   * alone or together with other callers' appends ({@link CallerCommits}); otherwise, or when no
   * leader permit is free, queues it as {@link #submit} does. Either way its outcome is in its
   * ticket (already complete on the idle path when this returns).
   */
  void commitOrSubmit(R r) throws InterruptedException {
    int stripe = r.streamHash() & (STRIPES - 1);
    if (!running) {
      submit(r);
      return;
    }
    var lock = stripeLocks[stripe];
    if (!lock.tryLock()) {
      submit(r);
      return;
    }
    if (!busy.compareAndSet(stripe, 0, 1)) {
      lock.unlock();
      submit(r);
      return;
    }
    // released as the outcome is handed out, before the caller can send its next append
    r.ticket().result().whenComplete((o, e) -> busy.decrementAndGet(stripe));
    boolean done;
    try {
      done = callers.commit(r);
    } finally {
      lock.unlock();
    }
    if (!done) {
      submit(r); // counted once more in its stripe, and uncounted twice when done
    }
  }

  /** Callers on the idle path waiting for another caller's statement (for tests). */
  int waitingCallers() {
    return callers.waiting();
  }

  /** Counts the append in its stripe until its outcome is known. */
  private void track(R r, int stripe) {
    busy.incrementAndGet(stripe);
    r.ticket().result().whenComplete((o, e) -> busy.decrementAndGet(stripe));
  }

  private void run(int index, LinkedBlockingQueue<R> queue) {
    var batch = new ArrayList<R>(maxBatch);
    int expected = 1;
    while (running || !queue.isEmpty()) {
      try {
        var first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        long bytes = gather(queue, batch, first.payloadBytes());
        if (writer.lingerNanos() > 0) {
          linger(queue, batch, bytes, expected);
        }
        expected = batch.size();
        pending.set(index, List.copyOf(batch));
        commit(batch);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      } catch (RuntimeException e) {
        log.error("append batch failed", e);
        batch.forEach(r -> r.ticket().result().completeExceptionally(e));
      } finally {
        pending.set(index, null);
        batch.clear();
      }
    }
  }

  /**
   * Adds what is queued behind the first append, up to the count and byte limits.
   *
   * @return the batch's payload bytes
   */
  private long gather(LinkedBlockingQueue<R> queue, List<R> batch, long bytes) {
    // this thread is the queue's only consumer, so what it peeks is what it polls
    while (batch.size() < maxBatch) {
      var next = queue.peek();
      if (next == null || bytes + next.payloadBytes() > writer.maxBatchBytes()) {
        return bytes;
      }
      bytes += next.payloadBytes();
      batch.add(queue.poll());
    }
    return bytes;
  }

  /** While the batch is smaller than the previous one, waits up to the writer's linger for the rest. */
  private void linger(LinkedBlockingQueue<R> queue, List<R> batch, long bytes, int expected)
      throws InterruptedException {
    long until = System.nanoTime() + writer.lingerNanos();
    while (batch.size() < Math.min(expected, maxBatch)) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      var next = queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      batch.add(next);
      bytes += next.payloadBytes();
      if (bytes >= writer.maxBatchBytes()) {
        return;
      }
      bytes = gather(queue, batch, bytes);
    }
  }

  /**
   * Fails what is overdue, takes the stripes of the rest (waiting, appends still queued, while a
   * self-commit holds one), then sends the batch.
   */
  private void commit(List<R> batch) throws InterruptedException {
    if (expireOverdue(batch)) {
      return;
    }
    var held = new ArrayList<ReentrantLock>();
    try {
      // ascending stripe order; only self-commits (which never wait for a lock) contend
      for (int stripe : batch.stream().mapToInt(r -> r.streamHash() & (STRIPES - 1)).sorted().distinct().toArray()) {
        var lock = stripeLocks[stripe];
        while (!lock.tryLock(REAP_INTERVAL_MS, TimeUnit.MILLISECONDS)) {
          if (allDone(batch)) {
            return; // every append expired while a self-commit held the stripe
          }
        }
        held.add(lock);
      }
      send(batch);
    } finally {
      held.forEach(ReentrantLock::unlock);
    }
  }

  /** Gets a connection, claims what has not expired meanwhile, and sends that. */
  private void send(List<R> batch) {
    if (expireOverdue(batch)) {
      return;
    }
    Connection c;
    try {
      c = db.dataSource().getConnection();
    } catch (SQLException e) {
      // nothing was sent: every append of the batch is certainly not stored
      var ex = notStored("no database connection (" + e.getMessage() + ")");
      batch.forEach(r -> r.ticket().expire(ex));
      return;
    }
    try (c) {
      var claimed = new ArrayList<R>(batch.size());
      for (var r : batch) {
        if (r.ticket().claim()) {
          claimed.add(r);
        }
      }
      if (!claimed.isEmpty()) {
        writer.write(c, claimed);
      }
    } catch (SQLException e) {
      log.debug("could not return an append connection: {}", e.getMessage());
    }
  }

  /** Expires the overdue appends of the batch; true when none is left to send. */
  private boolean expireOverdue(List<R> batch) {
    long now = System.nanoTime();
    for (var r : batch) {
      if (r.ticket().isOverdue(now)) {
        r.ticket().expire(overdue());
      }
    }
    return allDone(batch);
  }

  private static boolean allDone(List<? extends QueuedAppend> batch) {
    return batch.stream().allMatch(r -> r.ticket().result().isDone());
  }

  /** Fails queued appends whose deadline passed; runs until the committer closes. */
  private void reap() {
    while (running) {
      try {
        Thread.sleep(REAP_INTERVAL_MS);
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
      }
      long now = System.nanoTime();
      callers.expireOverdue(now, this::overdue);
      for (int i = 0; i < queues.size(); i++) {
        var waiting = pending.get(i);
        if (waiting != null) {
          for (var r : waiting) {
            if (r.ticket().isOverdue(now)) {
              r.ticket().expire(overdue());
            }
          }
        }
        // queued in deadline order (give or take concurrent producers): stop at the first not due
        for (var r : queues.get(i)) {
          if (!r.ticket().isOverdue(now)) {
            break;
          }
          r.ticket().expire(overdue());
        }
      }
    }
  }

  private UnavailableException overdue() {
    return notStored(
        "the database did not take the append within " + db.config().dbTimeout().toMillis() + " ms");
  }

  /** A retryable failure of an append that was certainly not stored. */
  static UnavailableException notStored(String why) {
    return new UnavailableException(why + "; the append was not stored, retry it", true, null);
  }

  /** Stops taking appends; what is queued is still committed (bounded by the join timeout). */
  @Override
  public void close() {
    running = false;
    reaper.interrupt();
    for (var t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
