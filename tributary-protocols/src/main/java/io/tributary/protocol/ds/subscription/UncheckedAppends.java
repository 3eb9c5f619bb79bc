package io.tributary.protocol.ds.subscription;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The paths appended while this server knew of no subscription, held back from evaluation until
 * the database says whether one exists after all (one may have been made on another server).
 *
 * <p>Each question ({@link #asking()}) covers the paths held before it was asked: when its answer
 * is "none", no subscription existed after those appends, so nothing is owed for them (a
 * subscription made later starts at the streams' tails, or links a stream on its next append with
 * all its data pending); when it is "some", they are evaluated late. Paths held while the question
 * runs wait for the next one. Not thread-safe: the delivery worker guards it with its lock.
 */
final class UncheckedAppends {
  /** Most paths held back; beyond this the worker asks at once instead of at its next poll. */
  static final int MAX_PATHS = 10_000;

  /** Until the first answer every append is evaluated. */
  private boolean none;
  /** Counts subscriptions created on this server, so that a stale "none" cannot undo one. */
  private long created;
  private final Set<String> asked = new LinkedHashSet<>();
  private final Set<String> since = new LinkedHashSet<>();

  /**
   * Holds {@code path} back when no subscription is known to exist.
   *
   * @return false when the append must be evaluated now
   */
  boolean hold(String path) {
    if (!none) {
      return false;
    }
    since.add(path);
    return true;
  }

  /** True when so many paths are held that the database should be asked now. */
  boolean full() {
    return asked.size() + since.size() >= MAX_PATHS;
  }

  /** True while no subscription is known to exist (appends are held back). */
  boolean knownNone() {
    return none;
  }

  /** Drops a held path (its stream was deleted: the append is moot). */
  void forget(String path) {
    asked.remove(path);
    since.remove(path);
  }

  /**
   * A question is about to be asked: what is held so far is what its answer covers.
   *
   * @return the ticket to hand to {@link #answered}
   */
  long asking() {
    asked.addAll(since);
    since.clear();
    return created;
  }

  /**
   * The answer to the question asked with {@code ticket}.
   *
   * @return the held paths to evaluate now (all of them when subscriptions exist, else none)
   */
  List<String> answered(long ticket, boolean any) {
    if (any || ticket != created) {
      return subscriptionsExist();
    }
    none = true;
    asked.clear();
    return List.of();
  }

  /**
   * Subscriptions exist (one was just created here): appends are evaluated at once from now on.
   *
   * @return the held paths, to evaluate now
   */
  List<String> subscriptionsExist() {
    created++;
    none = false;
    var out = new ArrayList<String>(asked.size() + since.size());
    out.addAll(asked);
    since.forEach(p -> {
      if (!asked.contains(p)) {
        out.add(p);
      }
    });
    asked.clear();
    since.clear();
    return out;
  }
}
