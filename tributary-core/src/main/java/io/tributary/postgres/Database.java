package io.tributary.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tributary.api.StoreConfig;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL side shared by every store of a process: the connection pool, the schema
 * (migrated on open), the clock, and the one LISTEN connection with its in-memory fan-out
 * (package-private: only the stores of this package park readers on it).
 *
 * <p>Stores built on a {@code Database} do not close it; whoever opened it does.
 */
public final class Database implements AutoCloseable {
  private final StoreConfig config;
  private final HikariDataSource pool;
  private final Notifier notifier;

  private Database(StoreConfig config, HikariDataSource pool, Notifier notifier) {
    this.config = config;
    this.pool = pool;
    this.notifier = notifier;
  }

  /** Opens the pool, migrates the schema to the latest version and starts the listener. */
  public static Database open(StoreConfig config) {
    var hc = new HikariConfig();
    hc.setJdbcUrl(config.jdbcUrl());
    if (config.user() != null) {
      hc.setUsername(config.user());
    }
    if (config.password() != null) {
      hc.setPassword(config.password());
    }
    hc.setMaximumPoolSize(config.poolSize());
    hc.setMinimumIdle(Math.min(2, config.poolSize()));
    hc.setPoolName("tributary");
    hc.addDataSourceProperty("ApplicationName", "tributary");
    var pool = new HikariDataSource(hc);
    try {
      // Flyway gets its own connections: with a pool of one it would wait for itself
      Flyway.configure()
          .dataSource(config.jdbcUrl(), config.user(), config.password())
          .locations("classpath:db/migration")
          .load()
          .migrate();
      var notifier = Notifier.start(config);
      return new Database(config, pool, notifier);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  public DataSource dataSource() {
    return pool;
  }

  Notifier notifier() {
    return notifier;
  }

  public StoreConfig config() {
    return config;
  }

  /**
   * True when a pool connection answers within {@code timeoutSeconds}, waiting for one included.
   * Never throws.
   */
  public boolean isReachable(int timeoutSeconds) {
    // with the database gone and no idle connection left, the pool would make the caller wait its
    // whole connection timeout (30 s); the probe waits in its own thread and is abandoned instead
    var probe = new java.util.concurrent.CompletableFuture<Boolean>();
    Thread.ofVirtual()
        .name("tributary-health-probe")
        .start(
            () -> {
              try (var c = pool.getConnection()) {
                probe.complete(c.isValid(timeoutSeconds));
              } catch (java.sql.SQLException | RuntimeException e) {
                probe.complete(false);
              }
            });
    try {
      return probe.get(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Answers every parked tail and long-poll now with what it has (usually nothing), and makes
   * later ones return without waiting. Called when the server shuts down, before it stops
   * accepting work for good; irreversible.
   */
  public void releaseParkedReaders() {
    notifier.drain();
  }

  /** True while the LISTEN session that wakes parked readers is established. */
  public boolean isListening() {
    return notifier.isListening();
  }

  /** Now in ms: the configured clock, else this host's clock. */
  public long nowMs() {
    return config.clock() == null ? System.currentTimeMillis() : config.clock().millis();
  }

  /** The ms to pass to SQL functions: null lets the database clock decide. */
  Long sqlNowMs() {
    return config.clock() == null ? null : config.clock().millis();
  }

  @Override
  public void close() {
    notifier.close();
    pool.close();
  }
}
