package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers concurrent appends into one transaction (group commit).
 *
 * <p>Why: a commit costs a WAL flush and, with a NOTIFY, takes a cluster-wide lock held until the
 * flush is done, so notifying commits serialise. Appends that arrive while a batch is in flight
 * queue up and go out together in the next one: one statement, one flush, one notification for
 * the whole batch. A single writer sees no added latency (its batch holds just its own append);
 * under load the batch grows by itself, also when one producer keeps many appends in flight
 * ({@code appendAsync}). A few committer threads keep more than one batch in flight, which hides
 * the round trip; each owns a share of the streams, so a stream's appends keep their order.
 *
 * <p>Idle path: a synchronous append whose share of the streams (a stripe, by stream hash) has
 * nothing queued or in flight commits on the caller's own thread ({@link #commitOrSubmit}), so a
 * lone writer pays no hand-off to a committer thread and back, and several writers on different
 * streams commit side by side, their WAL flushes grouped by PostgreSQL itself. Anything of the
 * stripe still queued or in flight sends it to the queue instead, behind those appends, so a
 * stream's order stays the submission order. A single plain durable append goes out as one
 * statement without PL/pgSQL ({@link AttemptStreamSql#APPEND_ONE}); everything else through {@code
 * tb_append_batch}.
 *
 * <p>Outages: every append has a deadline of {@link StoreConfig#dbTimeout()}
 * from the moment it is queued, not per batch. A reaper thread fails appends that are still
 * waiting (queued, or in a batch that waits for a connection) when their deadline passes, so an
 * append queued behind a stuck batch does not wait for that batch and then again for its own.
 * A batch that cannot get a connection fails all its appends at once. An append that was already
 * sent to PostgreSQL is never failed by its deadline: it waits for the statement's real outcome,
 * because answering "failed" while it may still commit would break "a 503 means not stored".
 */
final class GroupCommitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /** Appends waiting per committer; producers wait (up to their deadline) beyond this. */
  static final int QUEUE_CAPACITY = 16_384;

  /** How often the reaper looks for appends past their deadline: the slack of the deadline. */
  static final long REAP_INTERVAL_MS = 50;

  /** Stripes of the stream space for the idle path (a power of two); collisions only cost it. */
  static final int STRIPES = 4_096;

  private final Database db;
  private final long timeoutNanos;
  private final List<LinkedBlockingQueue<AppendRequest>> queues = new ArrayList<>();
  /** Per committer: the batch it is getting a connection for (claimed items are skipped). */
  private final AtomicReferenceArray<List<AppendRequest>> pending;
  private final List<Thread> workers = new ArrayList<>();
  private final Thread reaper;
  /** Per stripe: appends queued or in flight (queued, in a batch, or committing on their caller). */
  private final AtomicIntegerArray busy = new AtomicIntegerArray(STRIPES);
  /**
   * Appends committing on their callers' threads at once: at most half the pool, so readers and
   * the committers always find connections; beyond it appends queue and are batched.
   */
  private final java.util.concurrent.Semaphore selfCommits;
  /**
   * Held while appends of the stripe are being sent: by a self-commit for its whole statement, by
   * a committer from before it claims a batch until the batch's outcome. A committer whose batch
   * meets a stripe busy with a self-commit waits with its appends still queued, so the reaper can
   * fail them at their deadline should that statement hang (as a batch queued behind a stuck
   * batch does), and one stream never has two statements in flight.
   */
  private final java.util.concurrent.locks.ReentrantLock[] stripeLocks =
      new java.util.concurrent.locks.ReentrantLock[STRIPES];
  private volatile boolean running = true;

  GroupCommitter(Database db, int committers) {
    this.db = db;
    this.timeoutNanos = db.config().dbTimeout().toNanos();
    this.pending = new AtomicReferenceArray<>(committers);
    this.selfCommits = new java.util.concurrent.Semaphore(Math.max(1, db.config().poolSize() / 2));
    for (int i = 0; i < STRIPES; i++) {
      stripeLocks[i] = new java.util.concurrent.locks.ReentrantLock();
    }
    for (int i = 0; i < committers; i++) {
      var queue = new LinkedBlockingQueue<AppendRequest>(QUEUE_CAPACITY);
      queues.add(queue);
      int index = i;
      var t =
          Thread.ofPlatform()
              .daemon()
              .name("tributary-committer-" + i)
              .unstarted(() -> run(index, queue));
      workers.add(t);
      t.start();
    }
    reaper = Thread.ofPlatform().daemon().name("tributary-append-reaper").unstarted(this::reap);
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
   */
  void submit(AppendRequest r) throws InterruptedException {
    if (!running) {
      throw new UnavailableException("store is closed", false, null);
    }
    int hash = streamHash(r);
    track(r, hash & (STRIPES - 1));
    var queue = queues.get(Math.floorMod(hash, queues.size()));
    if (!queue.offer(r, r.deadlineNanos() - System.nanoTime(), TimeUnit.NANOSECONDS)) {
      r.expire(notStored("the append queue stayed full"));
    }
  }

  /**
   * Commits the append on the calling thread when nothing of its stripe is queued or in flight
   * and fewer than half the pool's connections serve such appends; otherwise queues it as {@link
   * #submit} does. Either way its outcome is in {@code r.result()}
   * (already complete on the idle path when this returns).
   */
  void commitOrSubmit(AppendRequest r) throws InterruptedException {
    int stripe = streamHash(r) & (STRIPES - 1);
    if (!running || !selfCommits.tryAcquire()) {
      submit(r);
      return;
    }
    var lock = stripeLocks[stripe];
    if (!lock.tryLock()) {
      selfCommits.release();
      submit(r);
      return;
    }
    if (!busy.compareAndSet(stripe, 0, 1)) {
      lock.unlock();
      selfCommits.release();
      submit(r);
      return;
    }
    // released as the outcome is handed out, before the caller can send its next append
    r.result().whenComplete((o, e) -> busy.decrementAndGet(stripe));
    try {
      commit(new ArrayList<>(List.of(r)));
    } catch (RuntimeException e) {
      log.error("append failed", e);
      r.result().completeExceptionally(e);
    } finally {
      lock.unlock();
      selfCommits.release();
    }
    if (!r.result().isDone()) {
      r.result().completeExceptionally(new IllegalStateException("no result for append"));
    }
  }

  /** Counts the append in its stripe until its outcome is known. */
  private void track(AppendRequest r, int stripe) {
    busy.incrementAndGet(stripe);
    r.result().whenComplete((o, e) -> busy.decrementAndGet(stripe));
  }

  private static int streamHash(AppendRequest r) {
    var eid = r.handle().executionId();
    return 31 * (31 * eid.uuid().hashCode() + eid.partition()) + Long.hashCode(r.handle().attemptIndex());
  }

  private void run(int index, LinkedBlockingQueue<AppendRequest> queue) {
    int max = db.config().maxBatch();
    var batch = new ArrayList<AppendRequest>(max);
    while (running || !queue.isEmpty()) {
      try {
        var first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, max - 1);
        pending.set(index, List.copyOf(batch));
        commit(batch);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      } catch (RuntimeException e) {
        log.error("append batch failed", e);
        batch.forEach(r -> r.result().completeExceptionally(e));
      } finally {
        pending.set(index, null);
        batch.clear();
      }
    }
  }

  /**
   * Fails what is overdue, takes the stripes of the rest (waiting, appends still queued, while a
   * self-commit holds one), then sends the batch.
   */
  private void commit(List<AppendRequest> batch) throws InterruptedException {
    long now = System.nanoTime();
    for (var r : batch) {
      if (r.isOverdue(now)) {
        r.expire(overdue());
      }
    }
    if (batch.stream().allMatch(r -> r.result().isDone())) {
      return;
    }
    var held = new ArrayList<java.util.concurrent.locks.ReentrantLock>();
    try {
      // ascending stripe order; only self-commits (which never wait for a lock) contend
      for (int stripe : batch.stream().mapToInt(r -> streamHash(r) & (STRIPES - 1)).sorted().distinct().toArray()) {
        var lock = stripeLocks[stripe];
        while (!lock.tryLock(REAP_INTERVAL_MS, TimeUnit.MILLISECONDS)) {
          if (batch.stream().allMatch(r -> r.result().isDone())) {
            return; // every append expired while a self-commit held the stripe
          }
        }
        held.add(lock);
      }
      send(batch);
    } finally {
      held.forEach(java.util.concurrent.locks.ReentrantLock::unlock);
    }
  }

  /** Gets a connection, claims what has not expired meanwhile, and sends that. */
  private void send(List<AppendRequest> batch) {
    long now = System.nanoTime();
    for (var r : batch) {
      if (r.isOverdue(now)) {
        r.expire(overdue());
      }
    }
    Connection c;
    try {
      c = db.dataSource().getConnection();
    } catch (SQLException e) {
      // nothing was sent: every append of the batch is certainly not stored
      var ex = notStored("no database connection (" + e.getMessage() + ")");
      batch.forEach(r -> r.expire(ex));
      return;
    }
    try (c) {
      var claimed = new ArrayList<AppendRequest>(batch.size());
      for (var r : batch) {
        if (r.claim()) {
          claimed.add(r);
        }
      }
      if (!claimed.isEmpty()) {
        execute(c, claimed);
      }
    } catch (SQLException e) {
      log.debug("could not return an append connection: {}", e.getMessage());
    }
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
      for (int i = 0; i < queues.size(); i++) {
        var waiting = pending.get(i);
        if (waiting != null) {
          for (var r : waiting) {
            if (r.isOverdue(now)) {
              r.expire(overdue());
            }
          }
        }
        // queued in deadline order (give or take concurrent producers): stop at the first not due
        for (var r : queues.get(i)) {
          if (!r.isOverdue(now)) {
            break;
          }
          r.expire(overdue());
        }
      }
    }
  }

  private UnavailableException overdue() {
    return notStored(
        "the database did not take the append within " + db.config().dbTimeout().toMillis() + " ms");
  }

  private static UnavailableException notStored(String why) {
    return new UnavailableException(why + "; the append was not stored, retry it", true, null);
  }

  /** Sends claimed appends as one statement and hands out each one's outcome. */
  private void execute(Connection c, List<AppendRequest> batch) {
    batch.sort(AppendRequest::lockOrder);
    int n = batch.size();
    var touched = new ArrayList<Long>();
    try {
      if (n == 1 && appendOne(c, batch.getFirst())) {
        return;
      }
      executeBatch(c, batch, touched);
    } catch (SQLException e) {
      failed(c, batch, e);
    }
  }

  /**
   * A lone plain durable append as one statement ({@link AttemptStreamSql#APPEND_ONE}); false
   * (nothing written) when it is not one or needs the function's answer.
   */
  private boolean appendOne(Connection c, AppendRequest r) throws SQLException {
    if (r.mode() != AppendRequest.DURABLE || r.idempotencyKey() != null) {
      return false;
    }
    var h = r.handle();
    try (var ps = c.prepareStatement(AttemptStreamSql.APPEND_ONE)) {
      var now = db.sqlNowMs();
      if (now == null) {
        ps.setNull(1, Types.BIGINT);
      } else {
        ps.setLong(1, now);
      }
      ps.setLong(2, db.config().durableRetention());
      ps.setLong(3, r.payload().length);
      ps.setObject(4, h.executionId().uuid());
      ps.setInt(5, h.executionId().partition());
      ps.setLong(6, h.attemptIndex());
      ps.setObject(7, h.leaseId());
      ps.setLong(8, h.leaseEpoch());
      ps.setString(9, r.frameType());
      ps.setBytes(10, r.payload());
      ps.setString(11, r.correlationId());
      c.setAutoCommit(true);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
        long streamId = rs.getLong(1);
        r.result().complete(new AppendOutcome(Positions.toId(rs.getLong(2)), rs.getLong(3), null, false));
        db.notifier().wakeLocal(streamId);
        return true;
      }
    }
  }

  private void executeBatch(Connection c, List<AppendRequest> batch, List<Long> touched) throws SQLException {
    int n = batch.size();
    try (var ps = AppendBatchStatement.prepare(c, db, batch, false)) {
      c.setAutoCommit(true);
      var outcomes = new Object[n];
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt(1);
          var status = AttemptStatus.of(rs.getInt(2));
          if (status == AttemptStatus.OK) {
            var outcome = AppendBatchStatement.outcome(rs);
            outcomes[i] = outcome;
            if (!outcome.replayed()) {
              touched.add(AppendBatchStatement.streamId(rs));
            }
          } else {
            outcomes[i] = status.appendFailure("", rs.getString(6), batch.get(i), rs.getLong(3));
          }
        }
      }
      // the batch is committed (autocommit): hand out results, then wake local readers at once
      for (int i = 0; i < n; i++) {
        var r = batch.get(i);
        if (outcomes[i] instanceof AppendOutcome o) {
          r.result().complete(o);
        } else if (outcomes[i] instanceof RuntimeException e) {
          r.result().completeExceptionally(e);
        } else {
          r.result().completeExceptionally(new IllegalStateException("no result for append"));
        }
      }
      touched.stream().distinct().forEach(db.notifier()::wakeLocal);
    }
  }

  /** Hands out the outcome of a statement that failed: retried per item, or failed as a whole. */
  private void failed(Connection c, List<AppendRequest> batch, SQLException e) {
    int n = batch.size();
    if (n > 1 && !isConnectionFailure(e) && !CommitFailure.outcomeUnknown(e)) {
      // one bad item must not fail its neighbours: retry each on its own
      for (var r : List.copyOf(batch)) {
        execute(c, new ArrayList<>(List.of(r)));
      }
      return;
    }
    RuntimeException ex;
    if (isDataError(e)) {
      ex =
          new ValidationException(
              ValidationKind.INVALID_INPUT, "the database rejected the frame: " + e.getMessage());
    } else if (CommitFailure.outcomeUnknown(e)) {
      // the statement went out and no answer came back: it may have committed before the break
      ex =
          new UnavailableException(
              "the database connection broke while the append was being committed; "
                  + CommitFailure.OUTCOME_UNKNOWN
                  + ": read the stream before retrying ("
                  + e.getMessage()
                  + ")",
              true,
              e);
    } else {
      // PostgreSQL answered with an error (e.g. 57P01 at shutdown): the statement rolled back
      ex = notStored("the database refused the append (" + e.getMessage() + ")");
    }
    batch.forEach(r -> r.result().completeExceptionally(ex));
  }

  /**
   * No connection (pool timeout) or the server ending sessions with an error reply (class 57:
   * shutdown, crash, not accepting connections, cancelled): every item would fail the same way,
   * so the batch fails at once instead of trying once per item. The statement rolled back.
   */
  private static boolean isConnectionFailure(SQLException e) {
    return e instanceof java.sql.SQLTransientConnectionException
        || (e.getSQLState() != null && e.getSQLState().startsWith("57"));
  }

  /** SQLSTATE class 22 (data exception): retrying the same append can never succeed. */
  private static boolean isDataError(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("22");
  }

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
