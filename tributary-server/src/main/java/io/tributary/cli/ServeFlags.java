package io.tributary.cli;

import io.tributary.postgres.StoreConfig;
import io.tributary.server.ServerConfig;
import io.tributary.settings.Setting;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The flags of {@code tributary serve}, one per setting: those of {@link ServerConfig} and those
 * that choose and open the database. Picocli builds {@code serve}'s options from them; the README
 * configuration table lists the same (a test holds them together).
 */
final class ServeFlags implements IModelTransformer {
  static final Flag<String> DB =
      Flag.of(Setting.of("db", String.class, null), "--db",
              "postgresql://user:password@host:port/database, or a jdbc:postgresql: URL")
          .ifUnset("embedded PostgreSQL in --data-dir");
  static final Flag<Path> DATA_DIR =
      Flag.of(Setting.of("dataDir", Path.class, Path.of("./data/pg")), "--data-dir",
          "Data directory of the embedded PostgreSQL");
  static final Flag<Path> DB_PASSWORD_FILE =
      Flag.of(Setting.of("dbPasswordFile", Path.class, null), "--db-password-file",
          "File holding the database password (one line), so it shows neither in ps nor in the"
              + " environment; wins over " + ServeCommand.DB_PASSWORD_ENV + " and over a password in --db");
  static final Flag<Boolean> UNSAFE_NO_FSYNC =
      Flag.of(Setting.of("unsafeNoFsync", Boolean.class, false), "--unsafe-no-fsync",
          "Run the embedded PostgreSQL with fsync=off: faster, but a power loss or kernel crash can"
              + " lose acknowledged appends or corrupt the data directory. For throwaway demos only");
  static final Flag<Path> TOKEN_KEY_FILE =
      Flag.of(Setting.of("tokenKeyFile", Path.class, null), "--token-key-file",
              "File holding the key (at least 32 bytes; trailing whitespace ignored) that signs"
                  + " read tokens; give every server on one database the same key")
          .ifUnset("a random key stored once in the database");
  static final Flag<String> TOKEN_KEY =
      Flag.of(Setting.of("tokenKey", String.class, null), "--token-key",
              "The read-token key itself, at least 32 bytes; prefer the variable, flags show in ps")
          .ifUnset("a random key stored once in the database");

  /** Every flag of {@code serve}. */
  static final List<Flag<?>> ALL =
      List.of(
          Flag.of(ServerConfig.PORT, "--port", "TCP port; 0 picks a free one"),
          Flag.of(ServerConfig.BIND_ADDRESS, "--bind", "Address to listen on"),
          DB,
          DATA_DIR,
          DB_PASSWORD_FILE,
          UNSAFE_NO_FSYNC,
          Flag.of(ServerConfig.LONG_POLL_TIMEOUT, "--long-poll-timeout",
              "How long a Durable Streams long-poll waits for data, e.g. 500ms, 2s, 30s"),
          Flag.of(ServerConfig.MAX_BODY_BYTES, "--max-body-bytes", "Largest request body in bytes; larger gets 413"),
          Flag.of(StoreConfig.MAX_PAYLOAD_BYTES, "--max-frame-bytes",
              "Largest payload of one attempt-stream frame in bytes; larger gets 413"),
          Flag.of(ServerConfig.AUTH_TOKEN, "--auth-token",
                  "Require Authorization: Bearer <token> on every route but /health; prefer the variable,"
                      + " flags show in ps")
              .ifUnset("no auth"),
          Flag.of(ServerConfig.MAX_STREAM_OPS, "--max-stream-ops", "Concurrent REST reads and tails before 429"),
          Flag.of(StoreConfig.POOL_SIZE, "--pool-size", "Database connections"),
          Flag.of(StoreConfig.TAIL_RECHECK_INTERVAL, "--tail-recheck-interval",
              "How often the streams that parked tails, long-polls and SSE readers wait on are"
                  + " checked for changes (one query for all); bounds the delay a lost notification can cause"),
          Flag.of(ServerConfig.SWEEP_INTERVAL, "--sweep-interval",
              "How often attempts whose lease expired are closed (lease_expired) and expired"
                  + " Durable Streams streams are retired"),
          Flag.of(ServerConfig.MAX_LIVE_READERS, "--max-live-readers",
                  "Durable Streams long-polls and SSE responses served at once; more get 503 with"
                      + " Retry-After. auto: the open-file limit minus 1024")
              .defaultText("auto")
              .converter(new LiveReaderCapConverter()),
          Flag.of(ServerConfig.DRAIN_TIMEOUT, "--drain-timeout",
              "On SIGTERM/SIGINT: how long requests still running (appends) may take to finish"
                  + " after parked readers were answered"),
          TOKEN_KEY_FILE,
          TOKEN_KEY,
          Flag.of(ServerConfig.MAX_TOKEN_TTL, "--max-token-ttl",
              "Longest lifetime of a read token minted by POST /v1/tokens"),
          Flag.of(StoreConfig.DB_TIMEOUT, "--db-timeout",
              "Longest a request waits for an unreachable or saturated database before it"
                  + " answers 503 with Retry-After; an append counts from when it was queued"),
          Flag.of(StoreConfig.SCHEMA, "--db-schema",
              "PostgreSQL schema for Tributary's tables, created when missing; its migration"
                  + " history is tributary_schema_history there"),
          Flag.of(ServerConfig.WEBHOOK_ALLOWED_TARGETS, "--webhook-allowed-targets",
              "Where subscription webhooks may be sent: comma-separated loopback, private, public"
                  + " and CIDR ranges; link-local and other special addresses only by a range"),
          Flag.of(ServerConfig.WEBHOOK_MAX_ATTEMPTS, "--webhook-max-attempts",
              "Deliveries of one webhook wake before the subscription is marked failed"),
          Flag.of(ServerConfig.WEBHOOK_RETRY_BASE, "--webhook-retry-base",
              "Delay before the first webhook retry; doubled per retry up to 60s"),
          Flag.of(ServerConfig.SSE_MAX_DURATION, "--sse-max-duration",
              "How long one Durable Streams SSE response lasts; clients then reconnect from"
                  + " their last offset"),
          Flag.of(ServerConfig.PRODUCER_GAP_WAIT, "--producer-gap-wait",
              "How long a Durable Streams producer request that arrived before its predecessor"
                  + " waits for it before 409 SEQUENCE_GAP (0: answer at once)"));

  /** Variables {@code serve} reads that have no flag. */
  static final List<String> ENV_ONLY = List.of(ServeCommand.DB_PASSWORD_ENV, "TRIBUTARY_LOG_LEVEL");

  /** Adds an option per flag to {@code serve}'s command. */
  @Override
  public CommandSpec transform(CommandSpec serve) {
    ALL.forEach(flag -> serve.addOption(flag.option()));
    return serve;
  }
}
