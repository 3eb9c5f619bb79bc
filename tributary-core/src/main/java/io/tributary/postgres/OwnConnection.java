package io.tributary.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * The one connection a background component of a store keeps outside the pool (the LISTEN
 * session, the outage probe): opened with the store's {@link ConnectionProperties} plus the
 * component's own, held so that another thread can close or abort it.
 */
final class OwnConnection {
  private final StoreConfig config;
  private final String applicationName;
  private final int connectTimeoutSeconds;
  private final Map<String, String> extraProperties;
  private volatile Connection held;

  /**
   * @param applicationName the session's name in {@code pg_stat_activity}
   * @param connectTimeoutSeconds bound of the connect and of the login
   * @param extraProperties pgjdbc properties on top of the store's
   */
  OwnConnection(
      StoreConfig config, String applicationName, int connectTimeoutSeconds, Map<String, String> extraProperties) {
    this.config = config;
    this.applicationName = applicationName;
    this.connectTimeoutSeconds = connectTimeoutSeconds;
    this.extraProperties = Map.copyOf(extraProperties);
  }

  /** Opens a new connection and holds it (in place of any held one, which stays open). */
  Connection open() throws SQLException {
    var props = ConnectionProperties.of(config, applicationName, connectTimeoutSeconds);
    extraProperties.forEach(props::setProperty);
    var c = DriverManager.getConnection(config.jdbcUrl(), props);
    held = c;
    return c;
  }

  /** The held connection, or null. */
  Connection held() {
    return held;
  }

  /** Lets go of the held connection without closing it (its owner closes it). */
  void forget() {
    held = null;
  }

  /** Closes the held connection, if any, and lets go of it; a failure to close is ignored. */
  void close() {
    var c = held;
    held = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // broken or closing anyway
      }
    }
  }
}
