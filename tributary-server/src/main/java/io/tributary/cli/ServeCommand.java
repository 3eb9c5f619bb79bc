package io.tributary.cli;

import io.tributary.postgres.StoreConfig;
import io.tributary.server.ServerConfig;
import io.tributary.server.TributaryServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary serve}: runs the HTTP server until SIGINT/SIGTERM. Every flag has an
 * environment variable; the flag wins when both are given.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the FlowFabric REST API and the Durable Streams protocol over HTTP.",
      "Without --db (or TRIBUTARY_DB) an embedded PostgreSQL runs in --data-dir and keeps its data.",
      "The database password may also come from TRIBUTARY_DB_PASSWORD or --db-password-file."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "${env:TRIBUTARY_PORT:-" + ServerConfig.DEFAULT_PORT + "}",
      description = "TCP port; 0 picks a free one (env TRIBUTARY_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "${env:TRIBUTARY_BIND:-" + ServerConfig.DEFAULT_BIND_ADDRESS + "}",
      description = "Address to listen on (env TRIBUTARY_BIND, default ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--db",
      defaultValue = "${env:TRIBUTARY_DB}",
      description = "postgresql://user:password@host:port/database, or a jdbc:postgresql: URL"
          + " (env TRIBUTARY_DB). Default: embedded PostgreSQL in --data-dir.")
  String db;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:TRIBUTARY_DATA_DIR:-./data/pg}",
      description = "Data directory of the embedded PostgreSQL (env TRIBUTARY_DATA_DIR, default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--db-password-file",
      defaultValue = "${env:TRIBUTARY_DB_PASSWORD_FILE}",
      description = "File holding the database password (one line), so it shows neither in ps nor in the"
          + " environment (env TRIBUTARY_DB_PASSWORD_FILE). Wins over TRIBUTARY_DB_PASSWORD and over a"
          + " password in --db.")
  Path dbPasswordFile;

  @Option(
      names = "--unsafe-no-fsync",
      defaultValue = "${env:TRIBUTARY_UNSAFE_NO_FSYNC:-false}",
      description = "Run the embedded PostgreSQL with fsync=off: faster, but a power loss or kernel crash can"
          + " lose acknowledged appends or corrupt the data directory. For throwaway demos only"
          + " (env TRIBUTARY_UNSAFE_NO_FSYNC, default ${DEFAULT-VALUE}).")
  boolean unsafeNoFsync;

  /** Where TRIBUTARY_DB_PASSWORD is read from; tests replace it. */
  Map<String, String> environment = System.getenv();

  @Option(
      names = "--long-poll-timeout",
      defaultValue = "${env:TRIBUTARY_LONG_POLL_TIMEOUT:-30s}",
      converter = DurationConverter.class,
      description = "How long a Durable Streams long-poll waits for data, e.g. 500ms, 2s, 30s"
          + " (env TRIBUTARY_LONG_POLL_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration longPollTimeout;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "${env:TRIBUTARY_MAX_BODY_BYTES:-" + ServerConfig.DEFAULT_MAX_BODY_BYTES + "}",
      description = "Largest request body in bytes; larger gets 413 (env TRIBUTARY_MAX_BODY_BYTES, default ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(
      names = "--max-frame-bytes",
      defaultValue = "${env:TRIBUTARY_MAX_FRAME_BYTES:-" + ServerConfig.DEFAULT_MAX_FRAME_BYTES + "}",
      description = "Largest payload of one attempt-stream frame in bytes; larger gets 413"
          + " (env TRIBUTARY_MAX_FRAME_BYTES, default ${DEFAULT-VALUE}).")
  int maxFrameBytes;

  @Option(
      names = "--auth-token",
      defaultValue = "${env:TRIBUTARY_AUTH_TOKEN}",
      description = "Require Authorization: Bearer <token> on every route but /health"
          + " (env TRIBUTARY_AUTH_TOKEN, preferred: flags show in ps). Default: no auth.")
  String authToken;

  @Option(
      names = "--max-stream-ops",
      defaultValue = "${env:TRIBUTARY_MAX_STREAM_OPS:-" + ServerConfig.DEFAULT_MAX_STREAM_OPS + "}",
      description = "Concurrent REST reads and tails before 429 (env TRIBUTARY_MAX_STREAM_OPS, default ${DEFAULT-VALUE}).")
  int maxStreamOps;

  @Option(
      names = "--pool-size",
      defaultValue = "${env:TRIBUTARY_POOL_SIZE:-" + ServerConfig.DEFAULT_POOL_SIZE + "}",
      description = "Database connections (env TRIBUTARY_POOL_SIZE, default ${DEFAULT-VALUE}).")
  int poolSize;

  @Option(
      names = "--tail-recheck-interval",
      defaultValue = "${env:TRIBUTARY_TAIL_RECHECK_INTERVAL:-2s}",
      converter = DurationConverter.class,
      description = "How often the streams that parked tails, long-polls and SSE readers wait on are"
          + " checked for changes (one query for all); bounds the delay a lost notification can cause"
          + " (env TRIBUTARY_TAIL_RECHECK_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration tailRecheckInterval;

  @Option(
      names = "--sweep-interval",
      defaultValue = "${env:TRIBUTARY_SWEEP_INTERVAL:-5s}",
      converter = DurationConverter.class,
      description = "How often attempts whose lease expired are closed (lease_expired) and expired"
          + " Durable Streams streams are retired (env TRIBUTARY_SWEEP_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration sweepInterval;

  @Option(
      names = "--max-live-readers",
      defaultValue = "${env:TRIBUTARY_MAX_LIVE_READERS:-auto}",
      converter = LiveReaderCapConverter.class,
      description = "Durable Streams long-polls and SSE responses served at once; more get 503 with"
          + " Retry-After. auto: the open-file limit minus 1024 (env TRIBUTARY_MAX_LIVE_READERS,"
          + " default ${DEFAULT-VALUE}).")
  int maxLiveReaders;

  @Option(
      names = "--drain-timeout",
      defaultValue = "${env:TRIBUTARY_DRAIN_TIMEOUT:-10s}",
      converter = DurationConverter.class,
      description = "On SIGTERM/SIGINT: how long requests still running (appends) may take to finish"
          + " after parked readers were answered (env TRIBUTARY_DRAIN_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(
      names = "--token-key-file",
      defaultValue = "${env:TRIBUTARY_TOKEN_KEY_FILE}",
      description = "File holding the key (at least 32 bytes; trailing whitespace ignored) that signs"
          + " read tokens; give every server on one database the same key (env TRIBUTARY_TOKEN_KEY_FILE)."
          + " Default: a random key stored once in the database.")
  Path tokenKeyFile;

  @Option(
      names = "--token-key",
      defaultValue = "${env:TRIBUTARY_TOKEN_KEY}",
      description = "The read-token key itself, at least 32 bytes (env TRIBUTARY_TOKEN_KEY, preferred:"
          + " flags show in ps). Default: a random key stored once in the database.")
  String tokenKey;

  @Option(
      names = "--max-token-ttl",
      defaultValue = "${env:TRIBUTARY_MAX_TOKEN_TTL:-PT24H}",
      converter = DurationConverter.class,
      description = "Longest lifetime of a read token minted by POST /v1/tokens"
          + " (env TRIBUTARY_MAX_TOKEN_TTL, default ${DEFAULT-VALUE}).")
  Duration maxTokenTtl;

  @Option(
      names = "--db-timeout",
      defaultValue = "${env:TRIBUTARY_DB_TIMEOUT:-2s}",
      converter = DurationConverter.class,
      description = "Longest a request waits for an unreachable or saturated database before it"
          + " answers 503 with Retry-After; an append counts from when it was queued"
          + " (env TRIBUTARY_DB_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration dbTimeout;

  @Option(
      names = "--db-schema",
      defaultValue = "${env:TRIBUTARY_DB_SCHEMA:-" + StoreConfig.DEFAULT_SCHEMA + "}",
      description = "PostgreSQL schema for Tributary's tables, created when missing; its migration"
          + " history is tributary_schema_history there (env TRIBUTARY_DB_SCHEMA, default ${DEFAULT-VALUE}).")
  String dbSchema;

  @Option(
      names = "--webhook-allowed-targets",
      defaultValue = "${env:TRIBUTARY_WEBHOOK_ALLOWED_TARGETS:-" + ServerConfig.DEFAULT_WEBHOOK_ALLOWED_TARGETS + "}",
      description = "Where subscription webhooks may be sent: comma-separated loopback, private, public"
          + " and CIDR ranges; link-local and other special addresses only by a range"
          + " (env TRIBUTARY_WEBHOOK_ALLOWED_TARGETS, default ${DEFAULT-VALUE}).")
  String webhookAllowedTargets;

  @Option(
      names = "--webhook-max-attempts",
      defaultValue = "${env:TRIBUTARY_WEBHOOK_MAX_ATTEMPTS:-" + ServerConfig.DEFAULT_WEBHOOK_MAX_ATTEMPTS + "}",
      description = "Deliveries of one webhook wake before the subscription is marked failed"
          + " (env TRIBUTARY_WEBHOOK_MAX_ATTEMPTS, default ${DEFAULT-VALUE}).")
  int webhookMaxAttempts;

  @Option(
      names = "--webhook-retry-base",
      defaultValue = "${env:TRIBUTARY_WEBHOOK_RETRY_BASE:-1s}",
      converter = DurationConverter.class,
      description = "Delay before the first webhook retry; doubled per retry up to 60s"
          + " (env TRIBUTARY_WEBHOOK_RETRY_BASE, default ${DEFAULT-VALUE}).")
  Duration webhookRetryBase;

  @Option(
      names = "--sse-max-duration",
      defaultValue = "${env:TRIBUTARY_SSE_MAX_DURATION:-60s}",
      converter = DurationConverter.class,
      description = "How long one Durable Streams SSE response lasts; clients then reconnect from"
          + " their last offset (env TRIBUTARY_SSE_MAX_DURATION, default ${DEFAULT-VALUE}).")
  Duration sseMaxDuration;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EmbeddedDatabase embedded = null;
    TributaryServer server = null;
    try {
      DatabaseUrl url;
      if (db == null || db.isBlank()) {
        if (dbPassword().isPresent()) {
          throw new IllegalArgumentException(
              "a database password is given (--db-password-file or TRIBUTARY_DB_PASSWORD) but no --db");
        }
        embedded = EmbeddedDatabase.start(dataDir, !unsafeNoFsync);
        url = embedded.url();
      } else {
        if (unsafeNoFsync) {
          throw new IllegalArgumentException(
              "--unsafe-no-fsync applies to the embedded PostgreSQL only; with --db, fsync is your database's setting");
        }
        url = databaseUrl();
      }
      server = TributaryServer.start(config(url));
    } catch (RuntimeException e) {
      err.println("tributary: could not start: " + e.getMessage());
      return 1;
    } finally {
      // a PostgreSQL we started must not outlive a failed start, whatever the failure
      if (server == null && embedded != null) {
        embedded.close();
      }
    }
    out.println("tributary listening on " + server.baseUrl()
        + (embedded == null ? "" : " (embedded PostgreSQL in " + dataDir.toAbsolutePath().normalize() + ")"));
    out.flush();
    awaitShutdown(server, embedded);
    return 0;
  }

  /**
   * The {@code --db} URL with the password from {@code --db-password-file} or {@code
   * TRIBUTARY_DB_PASSWORD} when one is given.
   *
   * @throws IllegalArgumentException when the URL is malformed or the password file unreadable
   */
  DatabaseUrl databaseUrl() {
    var url = DatabaseUrl.parse(db);
    return dbPassword().map(url::withPassword).orElse(url);
  }

  private Optional<String> dbPassword() {
    if (dbPasswordFile != null) {
      return Optional.of(PasswordFile.read(dbPasswordFile));
    }
    String fromEnv = environment.get(DB_PASSWORD_ENV);
    return fromEnv == null || fromEnv.isEmpty() ? Optional.empty() : Optional.of(fromEnv);
  }

  static final String DB_PASSWORD_ENV = "TRIBUTARY_DB_PASSWORD";

  ServerConfig config(DatabaseUrl url) {
    return ServerConfig.builder(url.jdbcUrl())
        .dbUser(url.user())
        .dbPassword(url.password())
        .bindAddress(bind)
        .port(port)
        .poolSize(poolSize)
        .longPollTimeout(longPollTimeout)
        .maxBodyBytes(maxBodyBytes)
        .maxFrameBytes(maxFrameBytes)
        .authToken(authToken)
        .maxStreamOps(maxStreamOps)
        .tailRecheckInterval(tailRecheckInterval)
        .sweepInterval(sweepInterval)
        .maxLiveReaders(maxLiveReaders)
        .drainTimeout(drainTimeout)
        .tokenKey(tokenKeyBytes())
        .maxTokenTtl(maxTokenTtl)
        .dbTimeout(dbTimeout)
        .dbSchema(dbSchema)
        .webhookAllowedTargets(webhookAllowedTargets)
        .webhookMaxAttempts(webhookMaxAttempts)
        .webhookRetryBase(webhookRetryBase)
        .sseMaxDuration(sseMaxDuration)
        .build();
  }

  /** The configured read-token key, or null for the database's. */
  private byte[] tokenKeyBytes() {
    if (tokenKeyFile != null && tokenKey != null && !tokenKey.isEmpty()) {
      throw new IllegalArgumentException("give the token key once: --token-key-file or --token-key, not both");
    }
    if (tokenKey != null && !tokenKey.isEmpty()) {
      return tokenKey.strip().getBytes(StandardCharsets.UTF_8);
    }
    if (tokenKeyFile == null) {
      return null;
    }
    try {
      // stripped, so that a key written with echo and one given as text are the same key
      var key = Files.readString(tokenKeyFile, StandardCharsets.ISO_8859_1).strip();
      if (key.isEmpty()) {
        throw new IllegalArgumentException("token key file " + tokenKeyFile + " is empty");
      }
      return key.getBytes(StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token key file " + tokenKeyFile + ": " + e, e);
    }
  }

  /** Blocks until the JVM is asked to stop, then stops the server before its database. */
  private static void awaitShutdown(TributaryServer server, EmbeddedDatabase embedded) {
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("tributary-shutdown")
                .unstarted(
                    () -> {
                      try {
                        server.close();
                      } finally {
                        if (embedded != null) {
                          embedded.close();
                        }
                        stopped.countDown();
                      }
                    }));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
