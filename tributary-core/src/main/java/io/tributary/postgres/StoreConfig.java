package io.tributary.postgres;

import io.tributary.api.UnavailableException;
import io.tributary.settings.Setting;
import io.tributary.settings.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Frozen configuration of a store. Build with {@link #builder(String)}; every knob has a named
 * default. Each knob is declared once, as a {@link Setting} below: its default, its rule and how
 * it shows in {@link #toString()}; the server's flags for the store's knobs use the same ones.
 */
public final class StoreConfig {
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
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /** Matches a {@code password=} parameter of a JDBC URL up to the next {@code &} or {@code ;}. */
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;]password=)[^&;]*");

  /** PostgreSQL JDBC URL. */
  public static final Setting<String> JDBC_URL =
      Setting.of("jdbcUrl", String.class, null).required().shownAs(StoreConfig::redactedUrl);
  /** Database user; null when the URL carries it. */
  public static final Setting<String> USER = Setting.of("user", String.class, null);
  /** Database password, or null. */
  public static final Setting<String> PASSWORD = Setting.of("password", String.class, null).secret();
  /** Connections in the pool (the LISTEN connection is extra). */
  public static final Setting<Integer> POOL_SIZE =
      Setting.of("poolSize", Integer.class, DEFAULT_POOL_SIZE)
          .requires(v -> v >= 1, v -> "pool size must be >= 1, got " + v);
  /** Largest accepted frame payload. */
  public static final Setting<Integer> MAX_PAYLOAD_BYTES =
      Setting.of("maxPayloadBytes", Integer.class, DEFAULT_MAX_PAYLOAD_BYTES)
          .requires(v -> v >= 1, v -> "max payload bytes must be >= 1, got " + v);
  /** Newest durable frames kept per stream. */
  public static final Setting<Long> DURABLE_RETENTION =
      Setting.of("durableRetention", Long.class, DEFAULT_DURABLE_RETENTION)
          .requires(v -> v >= 1, v -> "durable retention must be >= 1, got " + v);
  /** Newest summary frames kept per stream (the document itself is kept). */
  public static final Setting<Long> SUMMARY_RETENTION =
      Setting.of("summaryRetention", Long.class, DEFAULT_SUMMARY_RETENTION)
          .requires(v -> v >= 1, v -> "summary retention must be >= 1, got " + v);
  /** How often a parked tail re-queries without a notification. */
  public static final Setting<Duration> TAIL_RECHECK_INTERVAL =
      Setting.of("tailRecheckInterval", Duration.class, DEFAULT_TAIL_RECHECK_INTERVAL)
          .requires(v -> v != null && v.toMillis() >= 10, v -> "tail re-check interval must be at least 10 ms");
  /** Most appends the group committer puts in one transaction. */
  public static final Setting<Integer> MAX_BATCH =
      Setting.of("maxBatch", Integer.class, DEFAULT_MAX_BATCH)
          .requires(v -> v >= 1 && v <= 1000, v -> "max batch must be 1..1000, got " + v);
  /**
   * An idempotency key is remembered while its append is among the stream's newest this many
   * appends.
   */
  public static final Setting<Long> APPEND_KEY_WINDOW =
      Setting.of("appendKeyWindow", Long.class, DEFAULT_APPEND_KEY_WINDOW)
          .requires(v -> v >= 1, v -> "append key window must be >= 1, got " + v);
  /** Time source for ids, leases and expiry; null means the database clock. */
  public static final Setting<Clock> CLOCK = Setting.of("clock", Clock.class, null);
  /**
   * The longest a call waits for the database when it cannot get it: for a pool connection, and
   * for a queued append from the moment it was queued; then it fails with a retryable {@link
   * UnavailableException}. At least 250 ms, as Hikari refuses shorter connection timeouts.
   */
  public static final Setting<Duration> DB_TIMEOUT =
      Setting.of("dbTimeout", Duration.class, DEFAULT_DB_TIMEOUT)
          .requires(v -> v != null && v.toMillis() >= 250, v -> "db timeout must be at least 250 ms");
  /**
   * The PostgreSQL schema holding Tributary's tables and functions (created by the migration when
   * missing and the user may); its migration history is the table {@code tributary_schema_history}
   * there, apart from any Flyway history of the application.
   */
  public static final Setting<String> SCHEMA =
      Setting.of("schema", String.class, DEFAULT_SCHEMA)
          .requires(
              v -> v != null && SCHEMA_NAME.matcher(v).matches(),
              v -> "schema must be a lower-case unquoted identifier ([a-z_][a-z0-9_]*, at most 63), got " + v);

  /** Every knob of a store, in the order {@link #toString()} shows them. */
  public static final List<Setting<?>> SETTINGS =
      List.of(
          JDBC_URL, USER, PASSWORD, POOL_SIZE, MAX_PAYLOAD_BYTES, DURABLE_RETENTION, SUMMARY_RETENTION,
          TAIL_RECHECK_INTERVAL, MAX_BATCH, APPEND_KEY_WINDOW, CLOCK, DB_TIMEOUT, SCHEMA);

  private final Settings values;

  private StoreConfig(Settings values) {
    this.values = values;
  }

  /**
   * The store configuration within a larger one (a server's, say): the values of the store's
   * knobs that {@code values} declares; the others keep their defaults.
   *
   * @throws NullPointerException when {@code values} has no JDBC URL
   * @throws IllegalArgumentException when a value breaks its knob's rule
   */
  public static StoreConfig of(Settings values) {
    return new StoreConfig(Settings.builder(SETTINGS).setAll(values).build());
  }

  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /**
   * {@code jdbcUrl} with the value of any {@code password=} parameter replaced by {@code ***}, so
   * the URL can be logged; null stays null.
   */
  public static String redactedUrl(String jdbcUrl) {
    return jdbcUrl == null ? null : URL_PASSWORD.matcher(jdbcUrl).replaceAll("$1***");
  }

  public String jdbcUrl() {
    return values.get(JDBC_URL);
  }

  public String user() {
    return values.get(USER);
  }

  public String password() {
    return values.get(PASSWORD);
  }

  public int poolSize() {
    return values.get(POOL_SIZE);
  }

  public int maxPayloadBytes() {
    return values.get(MAX_PAYLOAD_BYTES);
  }

  public long durableRetention() {
    return values.get(DURABLE_RETENTION);
  }

  public long summaryRetention() {
    return values.get(SUMMARY_RETENTION);
  }

  public Duration tailRecheckInterval() {
    return values.get(TAIL_RECHECK_INTERVAL);
  }

  public int maxBatch() {
    return values.get(MAX_BATCH);
  }

  public long appendKeyWindow() {
    return values.get(APPEND_KEY_WINDOW);
  }

  /** The clock overriding the database's, or null. */
  public Clock clock() {
    return values.get(CLOCK);
  }

  public Duration dbTimeout() {
    return values.get(DB_TIMEOUT);
  }

  public String schema() {
    return values.get(SCHEMA);
  }

  /** Every knob; the password (also one inside the URL) shows as {@code ***}. */
  @Override
  public String toString() {
    return values.describe("StoreConfig");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoreConfig other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Mutable builder; {@link #build()} checks and freezes it. */
  public static final class Builder {
    private final Settings.Builder values = Settings.builder(SETTINGS);

    private Builder(String jdbcUrl) {
      values.set(JDBC_URL, jdbcUrl);
    }

    public Builder user(String v) {
      values.set(USER, v);
      return this;
    }

    public Builder password(String v) {
      values.set(PASSWORD, v);
      return this;
    }

    public Builder poolSize(int v) {
      values.set(POOL_SIZE, v);
      return this;
    }

    public Builder maxPayloadBytes(int v) {
      values.set(MAX_PAYLOAD_BYTES, v);
      return this;
    }

    public Builder durableRetention(long v) {
      values.set(DURABLE_RETENTION, v);
      return this;
    }

    public Builder summaryRetention(long v) {
      values.set(SUMMARY_RETENTION, v);
      return this;
    }

    public Builder tailRecheckInterval(Duration v) {
      values.set(TAIL_RECHECK_INTERVAL, v);
      return this;
    }

    public Builder maxBatch(int v) {
      values.set(MAX_BATCH, v);
      return this;
    }

    public Builder appendKeyWindow(long v) {
      values.set(APPEND_KEY_WINDOW, v);
      return this;
    }

    /** Overrides the database clock, e.g. with a settable clock in tests. */
    public Builder clock(Clock v) {
      values.set(CLOCK, v);
      return this;
    }

    /** How long a call may wait for an unreachable or saturated database before it fails. */
    public Builder dbTimeout(Duration v) {
      values.set(DB_TIMEOUT, v);
      return this;
    }

    /** The schema for Tributary's tables; {@value #DEFAULT_SCHEMA} unless set. */
    public Builder schema(String v) {
      values.set(SCHEMA, v);
      return this;
    }

    /**
     * The configuration, frozen.
     *
     * @throws NullPointerException when the JDBC URL is null
     * @throws IllegalArgumentException when a value breaks its knob's rule
     */
    public StoreConfig build() {
      return new StoreConfig(values.build());
    }
  }
}
