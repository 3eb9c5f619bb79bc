package io.tributary.subscription;

/**
 * One stream a subscription watches, with how it got linked and what has been acked.
 *
 * <p>Mutable: a {@link Subscription} is loaded, changed and saved within one transaction.
 */
public final class SubscriptionLink {
  /** An acked position meaning "nothing acked yet": every byte of the stream is pending. */
  public static final long NOTHING_ACKED = -1;

  private final String path;
  private boolean explicit;
  private boolean glob;
  private long ackedPos;
  private Long wakePos;

  /**
   * @param path the stream's full path, e.g. {@code /v1/stream/events/a}
   * @param ackedPos the acked position, or {@link #NOTHING_ACKED}
   * @param wakePos the tail recorded in the open wake's snapshot, or null
   */
  public SubscriptionLink(String path, boolean explicit, boolean glob, long ackedPos, Long wakePos) {
    this.path = path;
    this.explicit = explicit;
    this.glob = glob;
    this.ackedPos = ackedPos;
    this.wakePos = wakePos;
  }

  public String path() {
    return path;
  }

  public boolean explicit() {
    return explicit;
  }

  public boolean glob() {
    return glob;
  }

  public long ackedPos() {
    return ackedPos;
  }

  /** The tail this link had when the open wake was made, or null when no wake is open. */
  public Long wakePos() {
    return wakePos;
  }

  public void explicit(boolean v) {
    explicit = v;
  }

  public void glob(boolean v) {
    glob = v;
  }

  public void ackedPos(long v) {
    ackedPos = v;
  }

  public void wakePos(Long v) {
    wakePos = v;
  }
}
