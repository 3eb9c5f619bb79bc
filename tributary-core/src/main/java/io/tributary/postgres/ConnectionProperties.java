package io.tributary.postgres;

import java.util.Properties;

/**
 * The pgjdbc properties every connection of a store opens with outside the pool (listener, probe,
 * migration checks): credentials, the store's schema as the search path, a name in {@code
 * pg_stat_activity}, and bounded connect and login waits.
 */
final class ConnectionProperties {
  private ConnectionProperties() {}

  static Properties of(StoreConfig config, String applicationName, int connectTimeoutSeconds) {
    var props = new Properties();
    if (config.user() != null) {
      props.setProperty("user", config.user());
    }
    if (config.password() != null) {
      props.setProperty("password", config.password());
    }
    props.setProperty("currentSchema", config.schema());
    props.setProperty("ApplicationName", applicationName);
    props.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
    props.setProperty("loginTimeout", Integer.toString(connectTimeoutSeconds));
    return props;
  }
}
