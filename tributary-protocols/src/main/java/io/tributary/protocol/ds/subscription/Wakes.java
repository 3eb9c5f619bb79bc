package io.tributary.protocol.ds.subscription;

import io.tributary.subscription.Subscription;
import io.tributary.subscription.SubscriptionLink;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The state transitions of a subscription's wake, applied to a {@link Subscription} loaded under
 * its row lock: open a wake when a linked stream has data past its acked position, check that a
 * caller names the open wake, apply acks, close the wake.
 */
final class Wakes {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Wakes() {}

  /** True when some linked stream's tail is past its acked position. */
  static boolean hasPendingWork(Subscription s) {
    return s.links().values().stream().anyMatch(l -> s.tail(l.path()) > l.ackedPos());
  }

  /** The first linked stream with pending work, or null. */
  static String firstPending(Subscription s) {
    return s.links().values().stream()
        .filter(l -> s.tail(l.path()) > l.ackedPos())
        .map(SubscriptionLink::path)
        .findFirst()
        .orElse(null);
  }

  /**
   * Opens a wake when none is open and there is pending work: the generation goes up, a new wake
   * id is minted and every link records its current tail as the wake's snapshot. A webhook wake
   * is then owed a delivery from {@code nowMs}.
   *
   * @return true when a wake was opened
   */
  static boolean openIfPending(Subscription s, long nowMs) {
    if (s.wakeId() != null || s.holder() != null || !hasPendingWork(s)) {
      return false;
    }
    s.generation(s.generation() + 1);
    s.wakeId("w_" + HexFormat.of().formatHex(randomBytes(12)));
    for (var link : s.links().values()) {
      link.wakePos(s.tail(link.path()));
    }
    if (s.type() == Subscription.Type.WEBHOOK) {
      s.deliveryDueMs(nowMs);
      s.deliveryAttempts(0);
    }
    return true;
  }

  /** Closes the open wake (if any): no holder, no lease, no delivery owed, no snapshot. */
  static void close(Subscription s) {
    s.wakeId(null);
    s.holder(null);
    s.leaseExpiresMs(null);
    s.deliveryDueMs(null);
    for (var link : s.links().values()) {
      link.wakePos(null);
    }
  }

  /** Acks every link up to the tail recorded in the open wake's snapshot. */
  static void ackSnapshot(Subscription s) {
    for (var link : s.links().values()) {
      if (link.wakePos() != null && link.wakePos() > link.ackedPos()) {
        link.ackedPos(link.wakePos());
      }
    }
  }

  /**
   * Checks that a caller holding a token for {@code tokenGeneration} names the open wake.
   *
   * @throws SubscriptionFault {@code FENCED} when no wake is open or another one is
   */
  static void checkCurrent(Subscription s, long tokenGeneration, Long generation, String wakeId) {
    if (s.wakeId() == null
        || tokenGeneration != s.generation()
        || generation == null
        || generation != s.generation()
        || !s.wakeId().equals(wakeId)) {
      throw SubscriptionFault.fenced();
    }
  }

  /** One ack: a linked stream (full path) and the position acked. */
  record Ack(String path, String relativePath, long pos) {}

  /**
   * Applies acks, all or none: each must name a linked stream, not go back, and not pass the
   * stream's tail.
   *
   * @throws SubscriptionFault {@code INVALID_OFFSET} (409) naming the first bad ack
   */
  static void applyAcks(Subscription s, List<Ack> acks) {
    for (var ack : acks) {
      var link = s.links().get(ack.path());
      if (link == null) {
        throw SubscriptionFault.invalidOffset("'" + ack.relativePath() + "' is not a stream of this subscription");
      }
      if (ack.pos() < link.ackedPos()) {
        throw SubscriptionFault.invalidOffset("the ack for '" + ack.relativePath() + "' goes back before its acked offset");
      }
      if (ack.pos() > s.tail(ack.path())) {
        throw SubscriptionFault.invalidOffset("the ack for '" + ack.relativePath() + "' is past the stream's tail");
      }
    }
    for (var ack : acks) {
      s.links().get(ack.path()).ackedPos(ack.pos());
    }
  }

  /** The link to {@code path}, created (nothing acked) when missing. */
  static SubscriptionLink linkOnAppend(Subscription s, String path) {
    return s.links().computeIfAbsent(path, p -> new SubscriptionLink(p, false, true, SubscriptionLink.NOTHING_ACKED, null));
  }

  private static byte[] randomBytes(int n) {
    var b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
