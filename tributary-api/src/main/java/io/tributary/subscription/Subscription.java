package io.tributary.subscription;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Durable Streams subscription as stored: its configuration (fixed at creation), its linked
 * streams and the state of its open wake. The tails of the linked streams are loaded with it.
 *
 * <p>Mutable on purpose: the store hands one out inside a transaction that holds the row lock,
 * the caller changes it, and the store saves it before committing (see {@link
 * SubscriptionStore#update}).
 */
public final class Subscription {
  /** How a subscription tells its consumer about pending work. */
  public enum Type {
    WEBHOOK("webhook"),
    PULL_WAKE("pull-wake");

    private final String wire;

    Type(String wire) {
      this.wire = wire;
    }

    /** The name used in the protocol and the database. */
    public String wire() {
      return wire;
    }

    /** The type named {@code wire}, or null. */
    public static Type ofWire(String wire) {
      for (var t : values()) {
        if (t.wire.equals(wire)) {
          return t;
        }
      }
      return null;
    }
  }

  private final String id;
  private final Type type;
  private final String pattern;
  private final String webhookUrl;
  private final String wakeStream;
  private final long leaseTtlMs;
  private final String description;
  private final String config;
  private final String baseUrl;
  private final long createdAtMs;
  private final Map<String, SubscriptionLink> links = new LinkedHashMap<>();
  private final Map<String, Long> tails = new LinkedHashMap<>();
  private boolean failed;
  private long generation;
  private String wakeId;
  private String holder;
  private Long leaseExpiresMs;
  private Long deliveryDueMs;
  private int deliveryAttempts;
  private String lastError;

  /**
   * A new subscription (generation 0, no wake).
   *
   * @param pattern glob over stream paths relative to the stream root, or null
   * @param webhookUrl the receiver (webhook subscriptions), or null
   * @param wakeStream the full path of the stream wake events go to (pull-wake), or null
   * @param config canonical JSON of the creating request: an identical request re-confirms
   * @param baseUrl {@code scheme://host} the callback and JWKS URLs are built on
   */
  public Subscription(
      String id,
      Type type,
      String pattern,
      String webhookUrl,
      String wakeStream,
      long leaseTtlMs,
      String description,
      String config,
      String baseUrl,
      long createdAtMs) {
    this.id = id;
    this.type = type;
    this.pattern = pattern;
    this.webhookUrl = webhookUrl;
    this.wakeStream = wakeStream;
    this.leaseTtlMs = leaseTtlMs;
    this.description = description;
    this.config = config;
    this.baseUrl = baseUrl;
    this.createdAtMs = createdAtMs;
  }

  public String id() {
    return id;
  }

  public Type type() {
    return type;
  }

  public String pattern() {
    return pattern;
  }

  public String webhookUrl() {
    return webhookUrl;
  }

  public String wakeStream() {
    return wakeStream;
  }

  public long leaseTtlMs() {
    return leaseTtlMs;
  }

  public String description() {
    return description;
  }

  public String config() {
    return config;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public long createdAtMs() {
    return createdAtMs;
  }

  /** The linked streams by full path, in link order. */
  public Map<String, SubscriptionLink> links() {
    return links;
  }

  /** The tail position of each linked stream that exists (missing streams have none). */
  public Map<String, Long> tails() {
    return tails;
  }

  /** The tail of a linked stream; 0 when the stream does not exist. */
  public long tail(String path) {
    return tails.getOrDefault(path, 0L);
  }

  public boolean failed() {
    return failed;
  }

  public void failed(boolean v) {
    failed = v;
  }

  public long generation() {
    return generation;
  }

  public void generation(long v) {
    generation = v;
  }

  public String wakeId() {
    return wakeId;
  }

  public void wakeId(String v) {
    wakeId = v;
  }

  public String holder() {
    return holder;
  }

  public void holder(String v) {
    holder = v;
  }

  public Long leaseExpiresMs() {
    return leaseExpiresMs;
  }

  public void leaseExpiresMs(Long v) {
    leaseExpiresMs = v;
  }

  public Long deliveryDueMs() {
    return deliveryDueMs;
  }

  public void deliveryDueMs(Long v) {
    deliveryDueMs = v;
  }

  public int deliveryAttempts() {
    return deliveryAttempts;
  }

  public void deliveryAttempts(int v) {
    deliveryAttempts = v;
  }

  public String lastError() {
    return lastError;
  }

  public void lastError(String v) {
    lastError = v;
  }
}
