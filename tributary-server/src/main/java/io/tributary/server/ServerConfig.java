package io.tributary.server;

import io.tributary.postgres.StoreConfig;
import io.tributary.protocol.ds.DurableStreamsConfig;
import io.tributary.protocol.ds.subscription.SubscriptionConfig;
import io.tributary.protocol.ds.subscription.WebhookTargets;
import io.tributary.protocol.rest.RestConfig;
import io.tributary.settings.Setting;
import io.tributary.settings.Settings;
import java.time.Duration;
import java.util.List;

/**
 * Frozen configuration of a {@link TributaryServer}. Build with {@link #builder(String)}; every
 * knob has a named default. Each knob is declared once, as a {@link Setting} below (the store's
 * knobs the server exposes are {@link StoreConfig}'s own); {@code tributary serve}'s flags, this
 * config's {@link #toString()} and {@link #storeConfig()} are derived from them.
 */
public final class ServerConfig {
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  public static final int DEFAULT_PORT = 4437;
  public static final int DEFAULT_POOL_SIZE = StoreConfig.DEFAULT_POOL_SIZE;
  public static final Duration DEFAULT_LONG_POLL_TIMEOUT = Duration.ofSeconds(30);
  /** 16 MiB: Durable Streams clients (and the conformance suite) post 10 MiB bodies. */
  public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
  public static final int DEFAULT_MAX_FRAME_BYTES = StoreConfig.DEFAULT_MAX_PAYLOAD_BYTES;
  public static final int DEFAULT_MAX_STREAM_OPS = RestConfig.DEFAULT_MAX_STREAM_OPS;
  public static final Duration DEFAULT_TAIL_RECHECK_INTERVAL =
      StoreConfig.DEFAULT_TAIL_RECHECK_INTERVAL;
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);
  /** Derive the live-reader cap from the file-descriptor limit (see {@link FileDescriptors}). */
  public static final int AUTO_MAX_LIVE_READERS = -1;
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_MAX_TOKEN_TTL = Duration.ofHours(24);
  public static final Duration DEFAULT_SSE_MAX_DURATION = Duration.ofSeconds(60);
  /** Shortest token key accepted, in bytes. */
  public static final int MIN_TOKEN_KEY_BYTES = TokenSigner.MIN_KEY_BYTES;
  public static final Duration DEFAULT_DB_TIMEOUT = StoreConfig.DEFAULT_DB_TIMEOUT;
  public static final String DEFAULT_WEBHOOK_ALLOWED_TARGETS = WebhookTargets.DEFAULT_ALLOWED;
  public static final int DEFAULT_WEBHOOK_MAX_ATTEMPTS = SubscriptionConfig.DEFAULT_MAX_ATTEMPTS;
  public static final Duration DEFAULT_WEBHOOK_RETRY_BASE = SubscriptionConfig.DEFAULT_RETRY_BASE;

  /** Interface to listen on; loopback unless told otherwise. */
  public static final Setting<String> BIND_ADDRESS =
      Setting.of("bindAddress", String.class, DEFAULT_BIND_ADDRESS).required();
  /** TCP port; 0 picks a free one. */
  public static final Setting<Integer> PORT =
      Setting.of("port", Integer.class, DEFAULT_PORT)
          .requires(v -> v >= 0 && v <= 65_535, v -> "port must be 0..65535, got " + v);
  /** How long a Durable Streams long-poll waits before answering 204. */
  public static final Setting<Duration> LONG_POLL_TIMEOUT =
      Setting.of("longPollTimeout", Duration.class, DEFAULT_LONG_POLL_TIMEOUT)
          .requires(v -> v != null && v.toMillis() >= 1, v -> "long-poll timeout must be at least 1 ms");
  /** Largest request body; larger ones get 413 before the body is read. */
  public static final Setting<Long> MAX_BODY_BYTES =
      Setting.of("maxBodyBytes", Long.class, DEFAULT_MAX_BODY_BYTES)
          .requires(v -> v >= 1, v -> "max body bytes must be >= 1, got " + v);
  /**
   * Bearer token required on every route but the probes ({@code /livez}, {@code /readyz}, {@code
   * /health}); null (or empty) disables auth.
   */
  public static final Setting<String> AUTH_TOKEN =
      Setting.of("authToken", String.class, null)
          .normalised(v -> v == null || v.isEmpty() ? null : v)
          .requires(v -> v == null || !v.isBlank(), v -> "auth token must not be blank")
          .shownAs(v -> v == null ? "off" : "bearer");
  /** Concurrent REST reads and tails before 429. */
  public static final Setting<Integer> MAX_STREAM_OPS =
      Setting.of("maxStreamOps", Integer.class, DEFAULT_MAX_STREAM_OPS)
          .requires(v -> v >= 1, v -> "max stream ops must be >= 1, got " + v);
  /** How often expired leases are closed and expired streams retired. */
  public static final Setting<Duration> SWEEP_INTERVAL =
      Setting.of("sweepInterval", Duration.class, DEFAULT_SWEEP_INTERVAL)
          .requires(v -> v != null && v.toMillis() >= 10, v -> "sweep interval must be at least 10 ms");
  /**
   * Most Durable Streams long-polls and SSE responses at once (503 beyond); {@link
   * #AUTO_MAX_LIVE_READERS} derives it from the process's file-descriptor limit.
   */
  public static final Setting<Integer> MAX_LIVE_READERS =
      Setting.of("maxLiveReaders", Integer.class, AUTO_MAX_LIVE_READERS)
          .requires(
              v -> v >= 1 || v == AUTO_MAX_LIVE_READERS,
              v -> "max live readers must be >= 1 (or auto), got " + v)
          .shownAs(v -> v == AUTO_MAX_LIVE_READERS ? "auto" : String.valueOf(v));
  /**
   * On shutdown, how long requests still running (appends) may take to finish after parked
   * readers were answered; what runs longer is cut off.
   */
  public static final Setting<Duration> DRAIN_TIMEOUT =
      Setting.of("drainTimeout", Duration.class, DEFAULT_DRAIN_TIMEOUT)
          .requires(v -> v != null && !v.isNegative(), v -> "drain timeout must not be negative");
  /**
   * The key that signs read tokens (at least {@value #MIN_TOKEN_KEY_BYTES} bytes), or null (or
   * empty) to use the one stored in the database, so that every server on it shares a key.
   */
  public static final Setting<byte[]> TOKEN_KEY =
      Setting.of("tokenKey", byte[].class, null)
          .normalised(v -> v == null || v.length == 0 ? null : v.clone())
          .requires(
              v -> v == null || v.length >= MIN_TOKEN_KEY_BYTES,
              v -> "token key must be at least " + MIN_TOKEN_KEY_BYTES + " bytes")
          .shownAs(v -> v == null ? "database" : "configured");
  /** The longest lifetime a minted read token may have. */
  public static final Setting<Duration> MAX_TOKEN_TTL =
      Setting.of("maxTokenTtl", Duration.class, DEFAULT_MAX_TOKEN_TTL)
          .requires(v -> v != null && v.toMillis() >= 1, v -> "max token ttl must be at least 1 ms");
  /**
   * Where subscription webhooks may be sent: comma-separated {@code loopback}, {@code private},
   * {@code public} and CIDR ranges (see {@link WebhookTargets}).
   */
  public static final Setting<String> WEBHOOK_ALLOWED_TARGETS =
      Setting.of("webhookAllowedTargets", String.class, DEFAULT_WEBHOOK_ALLOWED_TARGETS).required();
  /** Deliveries of one wake before a webhook subscription is marked failed. */
  public static final Setting<Integer> WEBHOOK_MAX_ATTEMPTS =
      Setting.of("webhookMaxAttempts", Integer.class, DEFAULT_WEBHOOK_MAX_ATTEMPTS);
  /** The first retry delay of a failed delivery; doubled per retry up to 60 s. */
  public static final Setting<Duration> WEBHOOK_RETRY_BASE =
      Setting.of("webhookRetryBase", Duration.class, DEFAULT_WEBHOOK_RETRY_BASE);
  /**
   * How long one Durable Streams SSE response lasts before the server ends it and the client
   * reconnects from its last offset.
   */
  public static final Setting<Duration> SSE_MAX_DURATION =
      Setting.of("sseMaxDuration", Duration.class, DEFAULT_SSE_MAX_DURATION)
          .requires(v -> v != null && v.toMillis() >= 1, v -> "SSE max duration must be at least 1 ms");
  /**
   * How long a Durable Streams producer request that arrived ahead of its predecessor waits for it
   * before it is answered {@code 409 SEQUENCE_GAP}.
   */
  public static final Setting<Duration> PRODUCER_GAP_WAIT =
      Setting.of("producerGapWait", Duration.class, DurableStreamsConfig.DEFAULT_PRODUCER_GAP_WAIT)
          .requires(v -> v != null && !v.isNegative(), v -> "producer gap wait must not be negative");

  /** Every knob of a server, in the order {@link #toString()} shows them. */
  public static final List<Setting<?>> SETTINGS =
      List.of(
          BIND_ADDRESS, PORT, StoreConfig.JDBC_URL, StoreConfig.USER, StoreConfig.PASSWORD,
          StoreConfig.POOL_SIZE, LONG_POLL_TIMEOUT, MAX_BODY_BYTES, StoreConfig.MAX_PAYLOAD_BYTES,
          AUTH_TOKEN, MAX_STREAM_OPS, StoreConfig.TAIL_RECHECK_INTERVAL, SWEEP_INTERVAL,
          MAX_LIVE_READERS, DRAIN_TIMEOUT, TOKEN_KEY, MAX_TOKEN_TTL, StoreConfig.DB_TIMEOUT,
          StoreConfig.SCHEMA, WEBHOOK_ALLOWED_TARGETS, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_BASE,
          SSE_MAX_DURATION, PRODUCER_GAP_WAIT);

  private final Settings values;
  private final StoreConfig storeConfig;
  private final SubscriptionConfig subscriptionConfig;

  private ServerConfig(Settings values) {
    this.values = values;
    // derived once, so that a bad combination stops the start here rather than in the server
    this.storeConfig = StoreConfig.of(values);
    this.subscriptionConfig =
        SubscriptionConfig.defaults()
            .with(
                WebhookTargets.parse(values.get(WEBHOOK_ALLOWED_TARGETS)),
                values.get(WEBHOOK_MAX_ATTEMPTS),
                values.get(WEBHOOK_RETRY_BASE));
  }

  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  public String bindAddress() {
    return values.get(BIND_ADDRESS);
  }

  public int port() {
    return values.get(PORT);
  }

  public String jdbcUrl() {
    return values.get(StoreConfig.JDBC_URL);
  }

  /** The database user, or null when the URL carries it. */
  public String dbUser() {
    return values.get(StoreConfig.USER);
  }

  /** The database password, or null. */
  public String dbPassword() {
    return values.get(StoreConfig.PASSWORD);
  }

  public int poolSize() {
    return values.get(StoreConfig.POOL_SIZE);
  }

  public Duration longPollTimeout() {
    return values.get(LONG_POLL_TIMEOUT);
  }

  public long maxBodyBytes() {
    return values.get(MAX_BODY_BYTES);
  }

  /** The largest payload of one attempt-stream frame (413 above): the store's max payload. */
  public int maxFrameBytes() {
    return values.get(StoreConfig.MAX_PAYLOAD_BYTES);
  }

  /** The bearer token, or null when auth is off. */
  public String authToken() {
    return values.get(AUTH_TOKEN);
  }

  public int maxStreamOps() {
    return values.get(MAX_STREAM_OPS);
  }

  public Duration tailRecheckInterval() {
    return values.get(StoreConfig.TAIL_RECHECK_INTERVAL);
  }

  public Duration sweepInterval() {
    return values.get(SWEEP_INTERVAL);
  }

  /** The configured cap, or {@link #AUTO_MAX_LIVE_READERS}; see {@link #effectiveMaxLiveReaders()}. */
  public int maxLiveReaders() {
    return values.get(MAX_LIVE_READERS);
  }

  public Duration drainTimeout() {
    return values.get(DRAIN_TIMEOUT);
  }

  /** The configured read-token key, or null for the database's. */
  public byte[] tokenKey() {
    return values.get(TOKEN_KEY);
  }

  public Duration maxTokenTtl() {
    return values.get(MAX_TOKEN_TTL);
  }

  public Duration dbTimeout() {
    return values.get(StoreConfig.DB_TIMEOUT);
  }

  /** The PostgreSQL schema of Tributary's tables (see {@link StoreConfig#schema()}). */
  public String dbSchema() {
    return values.get(StoreConfig.SCHEMA);
  }

  public String webhookAllowedTargets() {
    return values.get(WEBHOOK_ALLOWED_TARGETS);
  }

  public int webhookMaxAttempts() {
    return values.get(WEBHOOK_MAX_ATTEMPTS);
  }

  public Duration webhookRetryBase() {
    return values.get(WEBHOOK_RETRY_BASE);
  }

  public Duration sseMaxDuration() {
    return values.get(SSE_MAX_DURATION);
  }

  public Duration producerGapWait() {
    return values.get(PRODUCER_GAP_WAIT);
  }

  /** The subscription settings: webhook targets, attempts and backoff. */
  public SubscriptionConfig subscriptionConfig() {
    return subscriptionConfig;
  }

  /** The live-reader cap in force: the configured one, or one the descriptor limit allows. */
  public int effectiveMaxLiveReaders() {
    return maxLiveReaders() == AUTO_MAX_LIVE_READERS ? FileDescriptors.liveReaderCap() : maxLiveReaders();
  }

  /** The store settings this server opens its database with. */
  public StoreConfig storeConfig() {
    return storeConfig;
  }

  public RestConfig restConfig() {
    return RestConfig.withMaxStreamOps(maxStreamOps());
  }

  /** Every knob; secrets are left out, so the config can be logged. */
  @Override
  public String toString() {
    return values.describe("ServerConfig");
  }

  /** Mutable builder; {@link #build()} checks and freezes it. */
  public static final class Builder {
    private final Settings.Builder values = Settings.builder(SETTINGS);

    private Builder(String jdbcUrl) {
      values.set(StoreConfig.JDBC_URL, jdbcUrl);
    }

    /**
     * Sets one of {@link #SETTINGS}.
     *
     * @throws IllegalArgumentException when {@code setting} is not a server setting
     */
    public <T> Builder set(Setting<T> setting, T value) {
      values.set(setting, value);
      return this;
    }

    public Builder bindAddress(String v) {
      return set(BIND_ADDRESS, v);
    }

    public Builder port(int v) {
      return set(PORT, v);
    }

    public Builder dbUser(String v) {
      return set(StoreConfig.USER, v);
    }

    public Builder dbPassword(String v) {
      return set(StoreConfig.PASSWORD, v);
    }

    public Builder poolSize(int v) {
      return set(StoreConfig.POOL_SIZE, v);
    }

    public Builder longPollTimeout(Duration v) {
      return set(LONG_POLL_TIMEOUT, v);
    }

    public Builder maxBodyBytes(long v) {
      return set(MAX_BODY_BYTES, v);
    }

    public Builder maxFrameBytes(int v) {
      return set(StoreConfig.MAX_PAYLOAD_BYTES, v);
    }

    /** Null or empty turns auth off. */
    public Builder authToken(String v) {
      return set(AUTH_TOKEN, v);
    }

    public Builder maxStreamOps(int v) {
      return set(MAX_STREAM_OPS, v);
    }

    public Builder tailRecheckInterval(Duration v) {
      return set(StoreConfig.TAIL_RECHECK_INTERVAL, v);
    }

    public Builder sweepInterval(Duration v) {
      return set(SWEEP_INTERVAL, v);
    }

    public Builder maxLiveReaders(int v) {
      return set(MAX_LIVE_READERS, v);
    }

    public Builder drainTimeout(Duration v) {
      return set(DRAIN_TIMEOUT, v);
    }

    /** The read-token signing key; null or empty uses the key stored in the database. */
    public Builder tokenKey(byte[] v) {
      return set(TOKEN_KEY, v);
    }

    public Builder maxTokenTtl(Duration v) {
      return set(MAX_TOKEN_TTL, v);
    }

    public Builder dbTimeout(Duration v) {
      return set(StoreConfig.DB_TIMEOUT, v);
    }

    public Builder dbSchema(String v) {
      return set(StoreConfig.SCHEMA, v);
    }

    public Builder webhookAllowedTargets(String v) {
      return set(WEBHOOK_ALLOWED_TARGETS, v);
    }

    public Builder webhookMaxAttempts(int v) {
      return set(WEBHOOK_MAX_ATTEMPTS, v);
    }

    public Builder webhookRetryBase(Duration v) {
      return set(WEBHOOK_RETRY_BASE, v);
    }

    public Builder sseMaxDuration(Duration v) {
      return set(SSE_MAX_DURATION, v);
    }

    public Builder producerGapWait(Duration v) {
      return set(PRODUCER_GAP_WAIT, v);
    }

    /**
     * The configuration, frozen.
     *
     * @throws NullPointerException when the JDBC URL, bind address or webhook targets are null
     * @throws IllegalArgumentException when a value breaks its knob's rule, or the webhook
     *     settings do not parse
     */
    public ServerConfig build() {
      return new ServerConfig(values.build());
    }
  }
}
