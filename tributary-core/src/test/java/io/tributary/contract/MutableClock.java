package io.tributary.contract;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests set and advance by hand, so time-dependent behaviour needs no sleeping. */
public final class MutableClock extends Clock {
  private final AtomicLong millis;

  public MutableClock(long startMs) {
    this.millis = new AtomicLong(startMs);
  }

  public void set(long ms) {
    millis.set(ms);
  }

  /** Moves the clock by {@code deltaMs} (may be negative: a clock step back). */
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
