package io.tributary.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that tests set and advance by hand (pass it to {@code StoreConfig.Builder.clock}), so
 * leases, expiry and id ordering are tested without sleeping.
 */
public final class SettableClock extends Clock {
  private final AtomicLong millis;

  public SettableClock(long startMs) {
    this.millis = new AtomicLong(startMs);
  }

  public void set(long ms) {
    millis.set(ms);
  }

  /** Moves the clock by {@code deltaMs} (may be negative: a clock step back); returns the new time. */
  public long advance(long deltaMs) {
    return millis.addAndGet(deltaMs);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
