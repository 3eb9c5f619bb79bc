package io.tributary.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A database location as operators write it, {@code postgresql://user:pass@host:port/db?opts}
 * (libpq style, also {@code postgres://}), or a JDBC URL {@code jdbc:postgresql://…}, turned into
 * what the JDBC driver takes.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/db?opts}, without credentials
 * @param user the user from the URL, or null
 * @param password the password from the URL, or null
 */
record DatabaseUrl(String jdbcUrl, String user, String password) {
  private static final int DEFAULT_PORT = 5432;

  /**
   * Parses a database URL.
   *
   * @throws IllegalArgumentException when the text is not a PostgreSQL URL
   */
  static DatabaseUrl parse(String text) {
    if (text.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(text, null, null);
    }
    if (!text.startsWith("postgresql://") && !text.startsWith("postgres://")) {
      throw new IllegalArgumentException(
          "database URL must look like postgresql://user:password@host:port/database");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("database URL is not a valid URL: " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("database URL names no host");
    }
    String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1
        ? "postgres"
        : decode(uri.getRawPath().substring(1));
    int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
    String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[")
        ? "[" + uri.getHost() + "]"
        : uri.getHost();
    String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + database
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    return new DatabaseUrl(jdbc, user, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The same location with {@code newPassword} instead of the URL's password. */
  DatabaseUrl withPassword(String newPassword) {
    return new DatabaseUrl(jdbcUrl, user, newPassword);
  }

  /** Credentials are left out, so the value can be logged. */
  @Override
  public String toString() {
    return io.tributary.postgres.StoreConfig.redactedUrl(jdbcUrl) + (user == null ? "" : " as " + user);
  }
}
