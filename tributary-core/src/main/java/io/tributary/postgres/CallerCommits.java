package io.tributary.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle path of a {@link GroupCommitter}: synchronous appends committed on their callers' own
 * threads, several callers' appends (on different streams) in one transaction.
 *
 * <p>At most {@code maxLeaders} callers commit at once (each on one pool connection, holding a
 * permit of {@link Database#selfCommits()}). A caller that arrives while that many are committing
 * waits as a follower; when a leader's statement is done it tells the first waiting follower to
 * lead (the permit goes along), which, once its thread runs, gathers everything waiting (up to the
 * batch limits), commits it as one statement on its own thread and in turn hands on the lead. A
 * lone caller never waits: it leads its own append.
 * So under load the transactions grow by themselves (one statement, one WAL flush, one
 * notification for all of them), with no hand-off to a committer thread.
 *
 * <p>Every caller holds its append's stripe (see {@link GroupCommitter}) from before it joins
 * until its append's outcome is known, so no other statement of that stripe can overtake it, and
 * a batch here never holds two appends of one stripe. Followers are failed by the reaper at their
 * deadline ({@link #expireOverdue}) until their batch is claimed for its statement.
 *
 * @param <R> the append kind
 */
final class CallerCommits<R extends QueuedAppend> {
  private static final Logger log = LoggerFactory.getLogger(CallerCommits.class);

  private final int maxLeaders;
  private final Semaphore permits;
  private final int maxBatch;
  private final long maxBatchBytes;
  /** Expires what is overdue, gets a connection, claims and writes a batch (never throws for SQL). */
  private final Consumer<List<R>> send;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. */
  private int leaders;
  /** Guarded by {@link #lock}: followers in arrival order. */
  private final ArrayList<Follower<R>> waiting = new ArrayList<>();
  /**
   * Per leading thread, a copy of its batch until it is done: still expirable while it waits for a
   * connection (a copy: the writer sorts the batch while the reaper may be reading this).
   */
  private final ConcurrentHashMap<Thread, List<R>> inHand = new ConcurrentHashMap<>();

  /** A waiting caller: its baton completes with true when it is to lead, false once its append is done. */
  private record Follower<R>(R append, CompletableFuture<Boolean> baton) {}

  CallerCommits(int maxLeaders, Semaphore permits, int maxBatch, long maxBatchBytes, Consumer<List<R>> send) {
    this.maxLeaders = maxLeaders;
    this.permits = permits;
    this.maxBatch = maxBatch;
    this.maxBatchBytes = maxBatchBytes;
    this.send = send;
  }

  /**
   * Commits {@code r} on the calling thread, alone or with other callers' appends, or waits while
   * another caller commits it. The caller holds {@code r}'s stripe.
   *
   * @return true when {@code r}'s outcome is in its ticket; false (nothing done) when no leader
   *     permit was free: queue it instead
   */
  boolean commit(R r) {
    Follower<R> me = null;
    lock.lock();
    try {
      if (leaders < maxLeaders) {
        if (!permits.tryAcquire()) {
          return false;
        }
        leaders++;
      } else {
        me = new Follower<>(r, new CompletableFuture<>());
        waiting.add(me);
      }
    } finally {
      lock.unlock();
    }
    List<R> batch;
    if (me == null) {
      batch = new ArrayList<>(1);
      batch.add(r);
    } else {
      var baton = me.baton();
      r.ticket().result().whenComplete((o, e) -> baton.complete(false));
      if (!awaitUninterruptibly(baton)) {
        leave(me); // done: committed in another caller's batch, or expired while waiting
        return true;
      }
      batch = gather(me);
    }
    lead(batch);
    return true;
  }

  /**
   * The batch of a follower that was told to lead: itself and what waits behind it now, up to the
   * batch limits. Gathered when it runs rather than when it was told, so callers that arrived
   * while its thread was being woken go along.
   */
  private List<R> gather(Follower<R> heir) {
    var batch = new ArrayList<R>();
    batch.add(heir.append());
    long bytes = heir.append().payloadBytes();
    lock.lock();
    try {
      remove(heir);
      var it = waiting.iterator();
      while (it.hasNext() && batch.size() < maxBatch) {
        var f = it.next();
        if (f.baton().isDone()) {
          continue; // expired (it leaves by itself), or told to lead a batch of its own
        }
        long b = f.append().payloadBytes();
        if (bytes + b > maxBatchBytes) {
          break;
        }
        bytes += b;
        batch.add(f.append());
        it.remove();
      }
    } finally {
      lock.unlock();
    }
    return batch;
  }

  /**
   * Commits the batch, then hands the lead to a waiting follower (with the leader permit), or gives
   * the permit back when none waits.
   */
  private void lead(List<R> batch) {
    var self = Thread.currentThread();
    inHand.put(self, List.copyOf(batch));
    try {
      send.accept(batch);
    } catch (RuntimeException e) {
      log.error("append batch failed", e);
      batch.forEach(r -> r.ticket().result().completeExceptionally(e));
    } finally {
      inHand.remove(self);
    }
    for (var r : batch) {
      if (!r.ticket().result().isDone()) {
        r.ticket().result().completeExceptionally(new IllegalStateException("no result for append"));
      }
    }
    handOn();
  }

  /** Tells the first waiting follower not yet told to lead; with none, releases the permit. */
  private void handOn() {
    lock.lock();
    try {
      for (var f : waiting) {
        // false: its append is done (expired; it leaves), or it was told already and has not run yet
        if (f.baton().complete(true)) {
          return;
        }
      }
      leaders--;
      permits.release();
    } finally {
      lock.unlock();
    }
  }

  private void leave(Follower<R> f) {
    lock.lock();
    try {
      remove(f);
    } finally {
      lock.unlock();
    }
  }

  /** Removes {@code f} (by identity) from {@link #waiting}; the caller holds the lock. */
  private void remove(Follower<R> f) {
    for (int i = 0; i < waiting.size(); i++) {
      if (waiting.get(i) == f) {
        waiting.remove(i);
        return;
      }
    }
  }

  /** Followers waiting now. */
  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  /** Fails followers whose deadline passed at {@code now} and that are not claimed yet. */
  void expireOverdue(long now, java.util.function.Supplier<RuntimeException> reason) {
    var overdue = new ArrayList<R>();
    lock.lock();
    try {
      for (var f : waiting) {
        if (f.append().ticket().isOverdue(now)) {
          overdue.add(f.append());
        }
      }
    } finally {
      lock.unlock();
    }
    for (var batch : inHand.values()) {
      for (var r : batch) {
        if (r.ticket().isOverdue(now)) {
          overdue.add(r);
        }
      }
    }
    // outside the lock: expiring completes a future, whose follower then leaves
    overdue.forEach(r -> r.ticket().expire(reason.get()));
  }

  private static <T> T awaitUninterruptibly(CompletableFuture<T> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          // the wait is bounded by the append's deadline or its statement; a follower that left
          // early could drop the lead handed to it, stranding those behind it
          interrupted = true;
        } catch (ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
