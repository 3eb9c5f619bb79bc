package io.tributary.contract;

import java.time.Clock;
import java.time.Duration;

/**
 * The store settings a contract test varies, in backend-neutral terms: a backend's test turns them
 * into its own configuration (PostgreSQL: {@code StoreConfig}). Null means the backend's default.
 * Mutable; a contract hands a fresh one to each tweak.
 */
public final class StoreSettings {
  private Long durableRetention;
  private Long summaryRetention;
  private Integer maxPayloadBytes;
  private Duration tailRecheckInterval;
  private Integer connections;
  private Clock clock;
  private Long appendKeyWindow;

  /** Newest durable frames kept per stream. */
  public StoreSettings durableRetention(long v) {
    durableRetention = v;
    return this;
  }

  /** Newest summary frames kept per stream. */
  public StoreSettings summaryRetention(long v) {
    summaryRetention = v;
    return this;
  }

  /** Largest accepted frame payload in bytes. */
  public StoreSettings maxPayloadBytes(int v) {
    maxPayloadBytes = v;
    return this;
  }

  /** How often a parked reader re-checks without a wake-up. */
  public StoreSettings tailRecheckInterval(Duration v) {
    tailRecheckInterval = v;
    return this;
  }

  /** Storage connections the store may hold at once (PostgreSQL: the pool size). */
  public StoreSettings poolSize(int v) {
    connections = v;
    return this;
  }

  /** The store's clock for ids, leases and expiry instead of the storage's own. */
  public StoreSettings clock(Clock v) {
    clock = v;
    return this;
  }

  /** An idempotency key is remembered while its append is among this many newest appends. */
  public StoreSettings appendKeyWindow(long v) {
    appendKeyWindow = v;
    return this;
  }

  public Long durableRetention() {
    return durableRetention;
  }

  public Long summaryRetention() {
    return summaryRetention;
  }

  public Integer maxPayloadBytes() {
    return maxPayloadBytes;
  }

  public Duration tailRecheckInterval() {
    return tailRecheckInterval;
  }

  public Integer poolSize() {
    return connections;
  }

  public Clock clock() {
    return clock;
  }

  public Long appendKeyWindow() {
    return appendKeyWindow;
  }
}
