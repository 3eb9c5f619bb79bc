package io.tributary.postgres;

import io.tributary.api.NamedStreamStore;
import io.tributary.api.StreamStore;
import io.tributary.api.Tributary;

/**
 * Tributary on PostgreSQL: one {@link Database} (pool, migrated schema, listener) with both stores
 * on it. The library's entry point:
 *
 * <pre>{@code
 * try (Tributary tributary = PostgresTributary.open(StoreConfig.builder(url).user("app").build())) {
 *   StreamStore attempts = tributary.attemptStreams();
 *   ...
 * }
 * }</pre>
 */
public final class PostgresTributary implements Tributary {
  private final Database database;
  private final PostgresStreamStore attempts;
  private final PostgresNamedStreamStore named;
  private boolean closed;

  private PostgresTributary(Database database) {
    this.database = database;
    this.attempts = new PostgresStreamStore(database);
    this.named = new PostgresNamedStreamStore(database);
  }

  /**
   * Opens the pool, migrates the schema (Tributary's own history table in {@link
   * StoreConfig#schema()}) and starts the listener.
   *
   * @throws RuntimeException when the database cannot be reached or migrated; nothing is left
   *     open then
   */
  public static PostgresTributary open(StoreConfig config) {
    var database = Database.open(config);
    try {
      return new PostgresTributary(database);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  @Override
  public StreamStore attemptStreams() {
    return attempts;
  }

  @Override
  public NamedStreamStore namedStreams() {
    return named;
  }

  /** The database both stores run on, for the backend's own tools (subscriptions, probes). */
  public Database database() {
    return database;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      attempts.close();
      named.close();
    } finally {
      database.close();
    }
  }
}
