package io.tributary.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tributary.api.StoreConfig;
import javax.sql.DataSource;

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
      SchemaMigration.migrate(config);
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

  /** True when a pool connection answers within {@code timeoutSeconds}. Never throws. */
  public boolean isReachable(int timeoutSeconds) {
    try (var c = pool.getConnection()) {
      return c.isValid(timeoutSeconds);
    } catch (java.sql.SQLException | RuntimeException e) {
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
