package io.tributary.server;

import io.tributary.postgres.StoreConfig;
import io.tributary.protocol.ds.subscription.SubscriptionConfig;
import io.tributary.protocol.ds.subscription.WebhookTargets;
import io.tributary.protocol.rest.RestConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Frozen configuration of a {@link TributaryServer}. Build with {@link #builder(String)}; every
 * knob has a named default.
 *
 * @param bindAddress interface to listen on; loopback unless told otherwise
 * @param port TCP port; 0 picks a free one
 * @param jdbcUrl PostgreSQL JDBC URL
 * @param dbUser database user, or null when the URL carries it
 * @param dbPassword database password, or null
 * @param poolSize database connections (the LISTEN connection is extra)
 * @param longPollTimeout how long a Durable Streams long-poll waits before answering 204
 * @param maxBodyBytes largest request body; larger ones get 413 before the body is read
 * @param maxFrameBytes largest payload of one attempt-stream frame (413 above)
 * @param authToken bearer token required on every route but the probes ({@code /livez}, {@code
 *     /readyz}, {@code /health}); null disables auth
 * @param maxStreamOps concurrent REST reads and tails before 429
 * @param tailRecheckInterval how often a parked reader re-queries without a notification
 * @param sweepInterval how often expired leases are closed and expired streams retired
 * @param maxLiveReaders most Durable Streams long-polls and SSE responses at once (503 beyond);
 *     {@link #AUTO_MAX_LIVE_READERS} derives it from the process's file-descriptor limit
 * @param drainTimeout on shutdown, how long requests still running (appends) may take to finish
 *     after parked readers were answered; what runs longer is cut off
 * @param tokenKey the key that signs read tokens (at least 32 bytes), or null to use the one stored
 *     in the database, so that every server on it shares a key
 * @param maxTokenTtl the longest lifetime a minted read token may have
 * @param dbTimeout longest a request waits for an unreachable or saturated database before 503
 * @param dbSchema the PostgreSQL schema of Tributary's tables (see {@link StoreConfig#schema()})
 * @param webhookAllowedTargets where subscription webhooks may be sent: comma-separated {@code
 *     loopback}, {@code private}, {@code public} and CIDR ranges (see {@link WebhookTargets})
 * @param webhookMaxAttempts deliveries of one wake before a webhook subscription is marked failed
 * @param webhookRetryBase the first retry delay of a failed delivery; doubled per retry up to 60 s
 * @param sseMaxDuration how long one Durable Streams SSE response lasts before the server ends it
 *     and the client reconnects from its last offset
 */
public record ServerConfig(
    String bindAddress,
    int port,
    String jdbcUrl,
    String dbUser,
    String dbPassword,
    int poolSize,
    Duration longPollTimeout,
    long maxBodyBytes,
    int maxFrameBytes,
    String authToken,
    int maxStreamOps,
    Duration tailRecheckInterval,
    Duration sweepInterval,
    int maxLiveReaders,
    Duration drainTimeout,
    byte[] tokenKey,
    Duration maxTokenTtl,
    Duration dbTimeout,
    String dbSchema,
    String webhookAllowedTargets,
    int webhookMaxAttempts,
    Duration webhookRetryBase,
    Duration sseMaxDuration) {
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

  public ServerConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    require(port >= 0 && port <= 65_535, "port must be 0..65535, got " + port);
    require(poolSize >= 1, "pool size must be >= 1, got " + poolSize);
    require(
        longPollTimeout != null && longPollTimeout.toMillis() >= 1,
        "long-poll timeout must be at least 1 ms");
    require(maxBodyBytes >= 1, "max body bytes must be >= 1, got " + maxBodyBytes);
    require(maxFrameBytes >= 1, "max frame bytes must be >= 1, got " + maxFrameBytes);
    require(maxStreamOps >= 1, "max stream ops must be >= 1, got " + maxStreamOps);
    require(authToken == null || !authToken.isBlank(), "auth token must not be blank");
    require(
        tailRecheckInterval != null && tailRecheckInterval.toMillis() >= 10,
        "tail re-check interval must be at least 10 ms");
    require(
        sweepInterval != null && sweepInterval.toMillis() >= 10,
        "sweep interval must be at least 10 ms");
    require(
        tokenKey == null || tokenKey.length >= MIN_TOKEN_KEY_BYTES,
        "token key must be at least " + MIN_TOKEN_KEY_BYTES + " bytes");
    require(
        maxTokenTtl != null && maxTokenTtl.toMillis() >= 1, "max token ttl must be at least 1 ms");
    tokenKey = tokenKey == null ? null : tokenKey.clone();
    require(
        maxLiveReaders >= 1 || maxLiveReaders == AUTO_MAX_LIVE_READERS,
        "max live readers must be >= 1 (or auto), got " + maxLiveReaders);
    require(
        drainTimeout != null && !drainTimeout.isNegative(), "drain timeout must not be negative");
    require(
        dbTimeout != null && dbTimeout.toMillis() >= 250, "db timeout must be at least 250 ms");
    require(
        sseMaxDuration != null && sseMaxDuration.toMillis() >= 1, "SSE max duration must be at least 1 ms");
    Objects.requireNonNull(webhookAllowedTargets, "webhookAllowedTargets");
    subscriptionConfig(webhookAllowedTargets, webhookMaxAttempts, webhookRetryBase);
  }

  /** The subscription settings: webhook targets, attempts and backoff. */
  public SubscriptionConfig subscriptionConfig() {
    return subscriptionConfig(webhookAllowedTargets, webhookMaxAttempts, webhookRetryBase);
  }

  private static SubscriptionConfig subscriptionConfig(String targets, int attempts, Duration base) {
    return SubscriptionConfig.defaults().with(WebhookTargets.parse(targets), attempts, base);
  }

  /** The live-reader cap in force: the configured one, or one the descriptor limit allows. */
  public int effectiveMaxLiveReaders() {
    return maxLiveReaders == AUTO_MAX_LIVE_READERS ? FileDescriptors.liveReaderCap() : maxLiveReaders;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /** The store settings this server opens its database with. */
  public StoreConfig storeConfig() {
    return StoreConfig.builder(jdbcUrl)
        .user(dbUser)
        .password(dbPassword)
        .poolSize(poolSize)
        .maxPayloadBytes(maxFrameBytes)
        .tailRecheckInterval(tailRecheckInterval)
        .dbTimeout(dbTimeout)
        .schema(dbSchema)
        .build();
  }

  public RestConfig restConfig() {
    return RestConfig.withMaxStreamOps(maxStreamOps);
  }

  /** Secrets are left out, so the config can be logged. */
  @Override
  public String toString() {
    return "ServerConfig[bind=" + bindAddress + ":" + port + ", db=" + StoreConfig.redactedUrl(jdbcUrl)
        + (dbUser == null ? "" : " as " + dbUser) + (dbPassword == null ? "" : " (password ***)")
        + ", poolSize=" + poolSize + ", longPollTimeout=" + longPollTimeout
        + ", maxBodyBytes=" + maxBodyBytes + ", maxFrameBytes=" + maxFrameBytes
        + ", auth=" + (authToken == null ? "off" : "bearer") + ", maxStreamOps=" + maxStreamOps
        + ", tailRecheckInterval=" + tailRecheckInterval + ", sweepInterval=" + sweepInterval
        + ", maxLiveReaders=" + effectiveMaxLiveReaders() + ", drainTimeout=" + drainTimeout
        + ", tokenKey=" + (tokenKey == null ? "database" : "configured")
        + ", maxTokenTtl=" + maxTokenTtl
        + ", dbTimeout=" + dbTimeout + ", dbSchema=" + dbSchema
        + ", webhookAllowedTargets=" + webhookAllowedTargets
        + ", webhookMaxAttempts=" + webhookMaxAttempts + ", webhookRetryBase=" + webhookRetryBase
        + ", sseMaxDuration=" + sseMaxDuration + "]";
  }

  /** Mutable builder; {@link #build()} freezes it. */
  public static final class Builder {
    private final String jdbcUrl;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int port = DEFAULT_PORT;
    private String dbUser;
    private String dbPassword;
    private int poolSize = DEFAULT_POOL_SIZE;
    private Duration longPollTimeout = DEFAULT_LONG_POLL_TIMEOUT;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private String authToken;
    private int maxStreamOps = DEFAULT_MAX_STREAM_OPS;
    private Duration tailRecheckInterval = DEFAULT_TAIL_RECHECK_INTERVAL;
    private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
    private int maxLiveReaders = AUTO_MAX_LIVE_READERS;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private byte[] tokenKey;
    private Duration maxTokenTtl = DEFAULT_MAX_TOKEN_TTL;
    private Duration dbTimeout = DEFAULT_DB_TIMEOUT;
    private String dbSchema = StoreConfig.DEFAULT_SCHEMA;
    private String webhookAllowedTargets = DEFAULT_WEBHOOK_ALLOWED_TARGETS;
    private int webhookMaxAttempts = DEFAULT_WEBHOOK_MAX_ATTEMPTS;
    private Duration webhookRetryBase = DEFAULT_WEBHOOK_RETRY_BASE;
    private Duration sseMaxDuration = DEFAULT_SSE_MAX_DURATION;

    private Builder(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
    }

    public Builder bindAddress(String v) {
      bindAddress = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder dbUser(String v) {
      dbUser = v;
      return this;
    }

    public Builder dbPassword(String v) {
      dbPassword = v;
      return this;
    }

    public Builder poolSize(int v) {
      poolSize = v;
      return this;
    }

    public Builder longPollTimeout(Duration v) {
      longPollTimeout = v;
      return this;
    }

    public Builder maxBodyBytes(long v) {
      maxBodyBytes = v;
      return this;
    }

    public Builder maxFrameBytes(int v) {
      maxFrameBytes = v;
      return this;
    }

    /** Null or empty turns auth off. */
    public Builder authToken(String v) {
      authToken = v == null || v.isEmpty() ? null : v;
      return this;
    }

    public Builder maxStreamOps(int v) {
      maxStreamOps = v;
      return this;
    }

    public Builder tailRecheckInterval(Duration v) {
      tailRecheckInterval = v;
      return this;
    }

    public Builder sweepInterval(Duration v) {
      sweepInterval = v;
      return this;
    }

    public Builder maxLiveReaders(int v) {
      maxLiveReaders = v;
      return this;
    }

    public Builder drainTimeout(Duration v) {
      drainTimeout = v;
      return this;
    }

    /** The read-token signing key; null or empty uses the key stored in the database. */
    public Builder tokenKey(byte[] v) {
      tokenKey = v == null || v.length == 0 ? null : v;
      return this;
    }

    public Builder maxTokenTtl(Duration v) {
      maxTokenTtl = v;
      return this;
    }

    public Builder dbTimeout(Duration v) {
      dbTimeout = v;
      return this;
    }

    public Builder dbSchema(String v) {
      dbSchema = v;
      return this;
    }

    public Builder webhookAllowedTargets(String v) {
      webhookAllowedTargets = v;
      return this;
    }

    public Builder webhookMaxAttempts(int v) {
      webhookMaxAttempts = v;
      return this;
    }

    public Builder webhookRetryBase(Duration v) {
      webhookRetryBase = v;
      return this;
    }

    public Builder sseMaxDuration(Duration v) {
      sseMaxDuration = v;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(
          bindAddress,
          port,
          jdbcUrl,
          dbUser,
          dbPassword,
          poolSize,
          longPollTimeout,
          maxBodyBytes,
          maxFrameBytes,
          authToken,
          maxStreamOps,
          tailRecheckInterval,
          sweepInterval,
          maxLiveReaders,
          drainTimeout,
          tokenKey,
          maxTokenTtl,
          dbTimeout,
          dbSchema,
          webhookAllowedTargets,
          webhookMaxAttempts,
          webhookRetryBase,
          sseMaxDuration);
    }
  }
}
