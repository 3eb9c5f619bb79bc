package io.tributary.server;

import io.helidon.webserver.WebServer;
import io.tributary.api.NamedStreamStore;
import io.tributary.api.StreamStore;
import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.protocol.ds.DurableStreamsConfig;
import io.tributary.protocol.ds.DurableStreamsHandler;
import io.tributary.protocol.rest.FlowFabricRestHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tributary HTTP server: the database (pool, schema, listener), the stores, both
 * protocol handlers and a Helidon web server in front of them.
 *
 * <p>All state lives in PostgreSQL, so several servers on one database serve the same streams; a
 * tail or long-poll on one is woken by an append through another (via LISTEN/NOTIFY).
 */
public final class TributaryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TributaryServer.class);

  private final ServerConfig config;
  private final Database database;
  private final StreamStore attempts;
  private final FlowFabricRestHandler rest;
  private final WebServer web;
  private final Sweeper sweeper;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TributaryServer(
      ServerConfig config,
      Database database,
      StreamStore attempts,
      FlowFabricRestHandler rest,
      WebServer web,
      Sweeper sweeper) {
    this.config = config;
    this.database = database;
    this.attempts = attempts;
    this.rest = rest;
    this.web = web;
    this.sweeper = sweeper;
  }

  /**
   * Opens the database (migrating the schema) and starts listening.
   *
   * @throws RuntimeException when the database cannot be opened or the port cannot be bound;
   *     nothing is left running in that case
   */
  public static TributaryServer start(ServerConfig config) {
    var database = Database.open(config.storeConfig());
    StreamStore attempts = null;
    try {
      attempts = new PostgresStreamStore(database);
      var rest = new FlowFabricRestHandler(attempts, config.restConfig());
      var metrics = new ServerMetrics();
      metrics.gauge(
          "tributary.stream_ops.in_use", "REST reads and tails running now", rest::streamOpsInUse);
      var named = new PostgresNamedStreamStore(database);
      var router =
          new HttpRouter(
              rest,
              durableStreams(named, attempts, config),
              new BearerAuth(config.authToken()),
              metrics,
              new HttpRouter.Health() {
                @Override
                public boolean databaseReachable() {
                  return database.isReachable();
                }

                @Override
                public boolean listening() {
                  return database.isListening();
                }
              });
      var web =
          WebServer.builder()
              .host(config.bindAddress())
              .port(config.port())
              .maxPayloadSize(config.maxBodyBytes())
              .shutdownHook(false)
              .directHandlers(JsonDirectHandler.all())
              .routing(routing -> routing.any(new HelidonAdapter(router)))
              .build()
              .start();
      var sweeper = new Sweeper(attempts, named, config.sweepInterval());
      var server = new TributaryServer(config, database, attempts, rest, web, sweeper);
      log.info("tributary listening on {} ({})", server.baseUrl(), config);
      return server;
    } catch (RuntimeException e) {
      if (attempts != null) {
        attempts.close();
      }
      database.close();
      throw e;
    }
  }

  private static HttpRouter.Handler durableStreams(
      NamedStreamStore named, StreamStore attempts, ServerConfig config) {
    var dsConfig =
        new DurableStreamsConfig(
            config.longPollTimeout(),
            DurableStreamsConfig.DEFAULT_SSE_MAX_DURATION,
            DurableStreamsConfig.DEFAULT_SSE_KEEP_ALIVE,
            DurableStreamsConfig.DEFAULT_MAX_READ_BYTES,
            config.maxBodyBytes());
    return new DurableStreamsHandler(named, attempts, dsConfig)::handle;
  }

  /** The port actually bound (useful when the config asked for 0). */
  public int port() {
    return web.port();
  }

  /** {@code http://<bind>:<port>}. */
  public String baseUrl() {
    String host = config.bindAddress().contains(":") ? "[" + config.bindAddress() + "]" : config.bindAddress();
    return "http://" + host + ":" + port();
  }

  /**
   * Stops accepting requests, refuses new stream operations, then closes the stores and the
   * database. Safe to call twice.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    rest.shutdown();
    sweeper.close();
    if (web.isRunning()) {
      web.stop();
    }
    attempts.close();
    database.close();
    log.info("tributary stopped");
  }
}
