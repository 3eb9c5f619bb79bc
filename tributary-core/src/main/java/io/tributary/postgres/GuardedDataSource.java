package io.tributary.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool, refused at once while the {@link DatabaseProbe} reports the database down.
 *
 * <p>Why: without it every call waits the full pool timeout during an outage, and those waiters
 * keep Hikari's connection adder retrying with a backoff that grows to 5 s (hard-coded in
 * HikariCP 7); an adder asleep in that backoff when PostgreSQL returns delays recovery by as much.
 * Refusing while the probe says down leaves no waiters, so the adder stops (the pool keeps no
 * minimum idle) and the first call after recovery starts a fresh one that connects at once.
 */
final class GuardedDataSource implements DataSource {
  /** SQLSTATE of "connection exception": the store maps it to a retryable unavailable. */
  static final String UNREACHABLE_STATE = "08001";

  private final DataSource pool;
  private final DatabaseProbe probe;

  GuardedDataSource(DataSource pool, DatabaseProbe probe) {
    this.pool = pool;
    this.probe = probe;
  }

  /**
   * A pool connection, waiting at most the configured database timeout for one.
   *
   * @throws SQLTransientConnectionException at once while the database is known to be down, or
   *     when no connection became free in time
   */
  @Override
  public Connection getConnection() throws SQLException {
    if (!probe.isUp()) {
      throw new SQLTransientConnectionException(
          "the database is unreachable (its last check failed)", UNREACHABLE_STATE);
    }
    return pool.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the pool has fixed credentials");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || pool.isWrapperFor(iface);
  }
}
