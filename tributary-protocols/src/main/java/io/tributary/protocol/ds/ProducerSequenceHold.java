package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Holds a producer's request that arrived ahead of its predecessor. A pipelining client sends
 * {@code Producer-Seq} n and n+1 on two connections; when n+1 reaches the store first it would be
 * refused with {@code SEQUENCE_GAP} and the client would pay a resend. Instead the request waits
 * here, without a database connection (the store call has returned), until another request of the
 * same producer and stream finishes on this server (of any epoch: a newer one's takeover answers
 * the waiting request with its stale epoch at once), and then asks the store again; after
 * {@code bound} it gets its {@code SEQUENCE_GAP} as before. A predecessor that goes to another
 * server instance is not seen, so there the bound runs out.
 */
final class ProducerSequenceHold {
  private final Duration bound;
  private final ConcurrentHashMap<Key, Turn> turns = new ConcurrentHashMap<>();

  private record Key(String path, String producerId) {}

  /** The next change of one producer's state, shared by the requests waiting for it. */
  private static final class Turn {
    final CompletableFuture<Void> changed = new CompletableFuture<>();
    int waiters; // guarded by the map's compute
  }

  /** @param bound longest a request waits for its predecessor; zero answers a gap at once */
  ProducerSequenceHold(Duration bound) {
    this.bound = bound;
  }

  /**
   * Runs {@code store} for {@code append} and, while it answers {@code SEQUENCE_GAP}, waits for
   * a change of the producer's state (up to the bound) and runs it again. Appends without a
   * producer pass straight through. Any answer other than a gap wakes the producer's waiting
   * requests, so they see a stored predecessor, or its refusal (closed, stale epoch), at once.
   */
  NamedStreamAppendResult append(
      String path,
      NamedStreamAppend append,
      BiFunction<String, NamedStreamAppend, NamedStreamAppendResult> store) {
    var result = store.apply(path, append);
    var producer = append.producer();
    if (producer == null) {
      return result;
    }
    var key = new Key(path, producer.id());
    if (gap(result) && bound.isPositive()) {
      result = waitForPredecessor(key, path, append, store);
    }
    if (!gap(result)) {
      var turn = turns.remove(key);
      if (turn != null) {
        turn.changed.complete(null);
      }
    }
    return result;
  }

  private NamedStreamAppendResult waitForPredecessor(
      Key key,
      String path,
      NamedStreamAppend append,
      BiFunction<String, NamedStreamAppend, NamedStreamAppendResult> store) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      // joined before asking again, so a predecessor finishing in between still wakes this one
      var turn = join(key);
      try {
        var result = store.apply(path, append);
        long left = deadline - System.nanoTime();
        if (!gap(result) || left <= 0) {
          return result;
        }
        try {
          turn.changed.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          return result;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return result;
        } catch (ExecutionException e) {
          throw new IllegalStateException(e); // never completed exceptionally
        }
      } finally {
        leave(key, turn);
      }
    }
  }

  private Turn join(Key key) {
    return turns.compute(
        key,
        (k, t) -> {
          var turn = t == null || t.changed.isDone() ? new Turn() : t;
          turn.waiters++;
          return turn;
        });
  }

  private void leave(Key key, Turn turn) {
    turns.computeIfPresent(key, (k, t) -> t == turn && --t.waiters == 0 ? null : t);
  }

  private static boolean gap(NamedStreamAppendResult result) {
    return result.status() == NamedStreamAppendResult.Status.SEQUENCE_GAP;
  }
}
