package io.tributary.postgres;

import io.tributary.api.UnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Frozen configuration of a store. Build with {@link #builder(String)}; every knob has a named
 * default.
 *
 * @param jdbcUrl PostgreSQL JDBC URL
 * @param user database user (may be null when the URL carries it)
 * @param password database password (may be null)
 * @param poolSize connections in the pool (the LISTEN connection is extra)
 * @param maxPayloadBytes largest accepted frame payload
 * @param durableRetention newest durable frames kept per stream
 * @param summaryRetention newest summary frames kept per stream (the document itself is kept)
 * @param tailRecheckInterval how often a parked tail re-queries without a notification
 * @param maxBatch most appends the group committer puts in one transaction
 * @param appendKeyWindow an idempotency key is remembered while its append is among the stream's
 *     newest this many appends
 * @param clock time source for ids, leases and expiry; null means the database clock
 * @param dbTimeout the longest a call waits for the database when it cannot get it: for a pool
 *     connection, and for a queued append from the moment it was queued; then it fails with a
 *     retryable {@link UnavailableException}
 * @param schema the PostgreSQL schema holding Tributary's tables and functions (created by the
 *     migration when missing and the user may); its migration history is the table {@code
 *     tributary_schema_history} there, apart from any Flyway history of the application
 */
public record StoreConfig(
    String jdbcUrl,
    String user,
    String password,
    int poolSize,
    int maxPayloadBytes,
    long durableRetention,
    long summaryRetention,
    Duration tailRecheckInterval,
    int maxBatch,
    long appendKeyWindow,
    Clock clock,
    Duration dbTimeout,
    String schema) {
  public static final int DEFAULT_POOL_SIZE = 16;
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 65_536;
  public static final long DEFAULT_DURABLE_RETENTION = 10_000;
  public static final long DEFAULT_SUMMARY_RETENTION = 64;
  public static final Duration DEFAULT_TAIL_RECHECK_INTERVAL = Duration.ofSeconds(2);
  public static final int DEFAULT_MAX_BATCH = 128;
  public static final long DEFAULT_APPEND_KEY_WINDOW = 10_000;
  public static final Duration DEFAULT_DB_TIMEOUT = Duration.ofSeconds(2);
  public static final String DEFAULT_SCHEMA = "public";
  /** Unquoted PostgreSQL identifiers only: the name goes into search_path and Flyway as is. */
  private static final java.util.regex.Pattern SCHEMA_NAME =
      java.util.regex.Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public StoreConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    require(poolSize >= 1, "poolSize must be >= 1");
    require(maxPayloadBytes >= 1, "maxPayloadBytes must be >= 1");
    require(durableRetention >= 1, "durableRetention must be >= 1");
    require(summaryRetention >= 1, "summaryRetention must be >= 1");
    require(
        tailRecheckInterval != null && tailRecheckInterval.toMillis() >= 10,
        "tailRecheckInterval must be >= 10ms");
    require(maxBatch >= 1 && maxBatch <= 1000, "maxBatch must be 1..1000");
    require(appendKeyWindow >= 1, "appendKeyWindow must be >= 1");
    // Hikari refuses connection timeouts under 250 ms
    require(dbTimeout != null && dbTimeout.toMillis() >= 250, "dbTimeout must be >= 250ms");
    require(
        schema != null && SCHEMA_NAME.matcher(schema).matches(),
        "schema must be a lower-case unquoted identifier ([a-z_][a-z0-9_]*, at most 63), got " + schema);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Matches a {@code password=} parameter of a JDBC URL up to the next {@code &} or {@code ;}. */
  private static final java.util.regex.Pattern URL_PASSWORD =
      java.util.regex.Pattern.compile("(?i)([?&;]password=)[^&;]*");

  /**
   * {@code jdbcUrl} with the value of any {@code password=} parameter replaced by {@code ***}, so
   * the URL can be logged; null stays null.
   */
  public static String redactedUrl(String jdbcUrl) {
    return jdbcUrl == null ? null : URL_PASSWORD.matcher(jdbcUrl).replaceAll("$1***");
  }

  /** Like the record's own, but the password (also one inside the URL) shows as {@code ***}. */
  @Override
  public String toString() {
    return "StoreConfig[jdbcUrl=" + redactedUrl(jdbcUrl) + ", user=" + user
        + ", password=" + (password == null ? "null" : "***") + ", poolSize=" + poolSize
        + ", maxPayloadBytes=" + maxPayloadBytes + ", durableRetention=" + durableRetention
        + ", summaryRetention=" + summaryRetention + ", tailRecheckInterval=" + tailRecheckInterval
        + ", maxBatch=" + maxBatch + ", appendKeyWindow=" + appendKeyWindow + ", clock=" + clock
        + ", dbTimeout=" + dbTimeout + ", schema=" + schema + "]";
  }

  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /** Mutable builder; {@link #build()} freezes it. */
  public static final class Builder {
    private final String jdbcUrl;
    private String user;
    private String password;
    private int poolSize = DEFAULT_POOL_SIZE;
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private long durableRetention = DEFAULT_DURABLE_RETENTION;
    private long summaryRetention = DEFAULT_SUMMARY_RETENTION;
    private Duration tailRecheckInterval = DEFAULT_TAIL_RECHECK_INTERVAL;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private long appendKeyWindow = DEFAULT_APPEND_KEY_WINDOW;
    private Clock clock;
    private Duration dbTimeout = DEFAULT_DB_TIMEOUT;
    private String schema = DEFAULT_SCHEMA;

    private Builder(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
    }

    public Builder user(String v) {
      user = v;
      return this;
    }

    public Builder password(String v) {
      password = v;
      return this;
    }

    public Builder poolSize(int v) {
      poolSize = v;
      return this;
    }

    public Builder maxPayloadBytes(int v) {
      maxPayloadBytes = v;
      return this;
    }

    public Builder durableRetention(long v) {
      durableRetention = v;
      return this;
    }

    public Builder summaryRetention(long v) {
      summaryRetention = v;
      return this;
    }

    public Builder tailRecheckInterval(Duration v) {
      tailRecheckInterval = v;
      return this;
    }

    public Builder maxBatch(int v) {
      maxBatch = v;
      return this;
    }

    public Builder appendKeyWindow(long v) {
      appendKeyWindow = v;
      return this;
    }

    /** Overrides the database clock, e.g. with a settable clock in tests. */
    public Builder clock(Clock v) {
      clock = v;
      return this;
    }

    /** How long a call may wait for an unreachable or saturated database before it fails. */
    public Builder dbTimeout(Duration v) {
      dbTimeout = v;
      return this;
    }

    /** The schema for Tributary's tables; {@value #DEFAULT_SCHEMA} unless set. */
    public Builder schema(String v) {
      schema = v;
      return this;
    }

    public StoreConfig build() {
      return new StoreConfig(
          jdbcUrl,
          user,
          password,
          poolSize,
          maxPayloadBytes,
          durableRetention,
          summaryRetention,
          tailRecheckInterval,
          maxBatch,
          appendKeyWindow,
          clock,
          dbTimeout,
          schema);
    }
  }
}
