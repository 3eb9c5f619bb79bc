package io.tributary.subscription;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where Durable Streams subscriptions live. A change to one subscription goes through {@link
 * #update}: the store loads it exclusively (PostgreSQL: under its row lock), lets the caller change
 * it and saves it, so changes are serialised per subscription across every server on the same
 * storage. Implementations are thread-safe.
 */
public interface SubscriptionStore {
  /** Now in ms, on the store's configured clock. */
  long nowMs();

  /**
   * Inserts a new subscription (its links included).
   *
   * @return false, changing nothing, when one with its id exists
   */
  boolean insert(Subscription s);

  /** The subscription with its links and their tails, read without locking; empty when absent. */
  Optional<Subscription> find(String id);

  /**
   * Runs {@code change} on the subscription {@code id} while holding it exclusively, then saves it
   * (state and links). {@code change} gets null when there is no such subscription (nothing is
   * saved then); it must not block on anything but this store.
   *
   * @return what {@code change} returned
   */
  <R> R update(String id, Function<Subscription, R> change);

  /** Deletes a subscription and its links; false when there was none. */
  boolean delete(String id);

  /**
   * A subscription that may care about an appended stream: its id, its pattern (or null), and
   * whether the stream is already linked to it.
   */
  record Candidate(String id, String pattern, boolean linked) {}

  /** The subscriptions that may care about an append to the named stream at {@code path}. */
  List<Candidate> candidates(String path);

  /**
   * True when at least one subscription exists (on any server of the database). Cheap: lets a
   * server skip {@link #candidates} for every append while there are none.
   */
  boolean anyExist();

  /** Unlinks the stream at {@code path} from every subscription (it was deleted). */
  void unlinkEverywhere(String path);

  /**
   * Claims up to {@code limit} webhook deliveries due at {@code nowMs}: their due time moves to
   * {@code nowMs + claimMs}, so no other server takes them while this one delivers; a server that
   * dies mid-delivery thus only delays it.
   *
   * @return the claimed subscription ids
   */
  List<String> claimDueDeliveries(long nowMs, long claimMs, int limit);

  /** Subscriptions whose lease ran out before {@code nowMs}, at most {@code limit}. */
  List<String> expiredLeases(long nowMs, int limit);

  /**
   * Active subscriptions with no open wake and a linked stream whose tail is past its acked
   * position: work a lost append hook (a server that died) would otherwise leave unnoticed.
   */
  List<String> idleWithPendingWork(int limit);

  /**
   * The stored keys; when there are none, stores {@code fresh.get()} first (the first of several
   * servers starting at once wins, and all read its keys).
   */
  SubscriptionKeys loadOrCreateKeys(Supplier<SubscriptionKeys> fresh);

  /**
   * Loads the tails of streams the caller is about to link, into {@code s.tails()}; a stream that
   * does not exist gets none.
   */
  void loadTails(Subscription s, List<String> paths);

  /** Full paths of live named streams starting with {@code prefix}, at most {@code limit}. */
  List<String> streamsUnder(String prefix, int limit);
}
