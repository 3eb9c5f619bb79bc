package io.tributary.server;

import io.tributary.api.NamedStreamStore;
import io.tributary.api.StreamStore;
import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresStreamDirectory;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.postgres.PostgresSubscriptionStore;
import io.tributary.protocol.ds.DurableStreamsConfig;
import io.tributary.protocol.ds.DurableStreamsHandler;
import io.tributary.protocol.ds.subscription.Subscriptions;
import io.tributary.protocol.rest.DiscoveryHandler;
import io.tributary.protocol.rest.FlowFabricRestHandler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tributary HTTP server: the database (pool, schema, listener), the stores, both
 * protocol handlers and a Jetty web server in front of them (see docs/web-server.md).
 *
 * <p>All state lives in PostgreSQL, so several servers on one database serve the same streams; a
 * tail or long-poll on one is woken by an append through another (via LISTEN/NOTIFY).
 */
public final class TributaryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TributaryServer.class);
  /** How often shutdown looks whether the woken readers have all answered. */
  private static final long READERS_ANSWERED_POLL_MS = 5;

  private final ServerConfig config;
  private final Database database;
  private final StreamStore attempts;
  private final FlowFabricRestHandler rest;
  private final DurableStreamsHandler durableStreams;
  private final HttpEdge web;
  private final Sweeper sweeper;
  private final Subscriptions subscriptions;
  private final PostgresNamedStreamStore named;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TributaryServer(
      ServerConfig config,
      Database database,
      StreamStore attempts,
      FlowFabricRestHandler rest,
      DurableStreamsHandler durableStreams,
      HttpEdge web,
      Sweeper sweeper,
      Subscriptions subscriptions,
      PostgresNamedStreamStore named) {
    this.named = named;
    this.subscriptions = subscriptions;
    this.durableStreams = durableStreams;
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
    Subscriptions subscriptions = null;
    try {
      attempts = new PostgresStreamStore(database);
      var rest = new FlowFabricRestHandler(attempts, config.restConfig());
      var metrics = new ServerMetrics();
      metrics.gauge(
          "tributary.stream_ops.in_use", "REST reads and tails running now", rest::streamOpsInUse);
      var named = new PostgresNamedStreamStore(database);
      subscriptions =
          Subscriptions.start(new PostgresSubscriptionStore(database), named, config.subscriptionConfig());
      var durableStreams = durableStreams(named, attempts, config, subscriptions, database);
      metrics.gauge(
          "tributary.live_readers", "Durable Streams long-polls and SSE responses running now",
          durableStreams::liveReaders);
      metrics.gauge(
          "tributary.live_shared_streams",
          "streams whose Durable Streams live readers share one wait and one read per change",
          durableStreams::sharedLiveStreams);
      metrics.gauge(
          "tributary.live_store_reads",
          "store reads and waits made for Durable Streams long-polls and SSE readers since the start",
          durableStreams::liveStoreReads);
      var signer =
          new TokenSigner(
              config.tokenKey() != null
                  ? config.tokenKey()
                  : StoredTokenKey.loadOrCreate(database.dataSource()));
      var auth = new TokenAuth(new BearerAuth(config.authToken()), signer, System::currentTimeMillis);
      var router =
          new HttpRouter(
              rest,
              durableStreams::handle,
              new DiscoveryHandler(new PostgresStreamDirectory(database))::handle,
              auth,
              new TokenMint(signer, config.maxTokenTtl(), System::currentTimeMillis),
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
      var web = JettyEdge.start(router, config);
      var sweeper = new Sweeper(attempts, named, config.sweepInterval());
      var server = new TributaryServer(
              config, database, attempts, rest, durableStreams, web, sweeper, subscriptions, named);
      log.info("tributary listening on {} ({})", server.baseUrl(), config);
      log.info(
          "open-file limit {} (live readers capped at {})",
          FileDescriptors.limit(), config.effectiveMaxLiveReaders());
      return server;
    } catch (RuntimeException e) {
      if (subscriptions != null) {
        subscriptions.close();
      }
      if (attempts != null) {
        attempts.close();
      }
      database.close();
      throw e;
    }
  }

  private static DurableStreamsHandler durableStreams(
      NamedStreamStore named,
      StreamStore attempts,
      ServerConfig config,
      Subscriptions subscriptions,
      Database database) {
    var dsConfig =
        new DurableStreamsConfig(
            config.longPollTimeout(),
            config.sseMaxDuration(),
            DurableStreamsConfig.DEFAULT_SSE_KEEP_ALIVE,
            DurableStreamsConfig.DEFAULT_MAX_READ_BYTES,
            config.maxBodyBytes(),
            config.effectiveMaxLiveReaders(),
            config.producerGapWait());
    return new DurableStreamsHandler(named, attempts, dsConfig, subscriptions, database::isReachable);
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
   * Shuts down gracefully: parked tails and long-polls answer at once with what they have, SSE
   * responses end with a control event to resume from, new REST stream operations get 503; then
   * the web server stops accepting and gives requests still running (appends) up to the drain
   * timeout to finish; then the stores flush and the database closes. Safe to call twice.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long started = System.nanoTime();
    rest.shutdown();
    durableStreams.drain();
    database.releaseParkedReaders();
    sweeper.close();
    long drainEnd = started + config.drainTimeout().toNanos();
    awaitReadersAnswered(drainEnd);
    web.stop(Duration.ofNanos(Math.max(0, drainEnd - System.nanoTime())));
    subscriptions.close();
    named.close();
    attempts.close();
    database.close();
    log.info("tributary stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Waits (until {@code endNanos} at the latest) for the woken readers to write their last answer.
   * Jetty, once it stops accepting, cuts every connection idle for a second, and a reader that
   * last wrote when it connected is idle although its answer is on its way (its thread may queue
   * behind a thousand others): stopping the web server first would cut some of them.
   */
  private void awaitReadersAnswered(long endNanos) {
    while ((durableStreams.liveReaders() > 0 || rest.streamOpsInUse() > 0) && System.nanoTime() < endNanos) {
      try {
        Thread.sleep(READERS_ANSWERED_POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
