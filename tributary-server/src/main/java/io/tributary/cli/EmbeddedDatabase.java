package io.tributary.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A real PostgreSQL (zonky's packaged binaries) run by {@code serve} when no database is given.
 * Its data directory is kept across restarts: the first start runs initdb, later starts reuse the
 * cluster and its data. The server's tables live in a database named {@value #DATABASE}.
 */
final class EmbeddedDatabase implements AutoCloseable {
  static final String DATABASE = "tributary";
  private static final String USER = "postgres";

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL on a free loopback port with its data in {@code dataDirectory}, creating
   * the directory (and the cluster) when missing.
   *
   * @throws UncheckedIOException when PostgreSQL does not start, e.g. because another server
   *     still runs on the same directory
   */
  static EmbeddedDatabase start(Path dataDirectory) {
    EmbeddedPostgres postgres;
    try {
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory.toAbsolutePath())
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              // zonky's test-oriented default is synchronous_commit=off; a served stream must
              // survive a crash once its append was acknowledged
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "200")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not start embedded PostgreSQL in " + dataDirectory.toAbsolutePath() + ": "
              + e.getMessage(),
          e);
    } catch (IllegalStateException e) {
      // zonky locks <dir>/epg-lock: another process fails with "could not lock …", this JVM
      // with OverlappingFileLockException
      boolean locked =
          e instanceof OverlappingFileLockException
              || String.valueOf(e.getMessage()).startsWith("could not lock");
      String why =
          locked
              ? "the data directory is in use by another running server; stop it or pass another"
                  + " --data-dir"
              : String.valueOf(e);
      throw new IllegalStateException(
          "could not start embedded PostgreSQL in " + dataDirectory.toAbsolutePath() + ": " + why, e);
    }
    var db = new EmbeddedDatabase(postgres);
    try {
      db.createDatabaseIfMissing();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  private void createDatabaseIfMissing() {
    try (var c = postgres.getPostgresDatabase().getConnection();
        var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      try (var rs = exists.executeQuery()) {
        if (!rs.next()) {
          try (var create = c.createStatement()) {
            create.execute("CREATE DATABASE " + DATABASE);
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + DATABASE, e);
    }
  }

  DatabaseUrl url() {
    return new DatabaseUrl(postgres.getJdbcUrl(USER, DATABASE), USER, null);
  }

  /** Stops PostgreSQL (fast shutdown); the data directory stays. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop embedded PostgreSQL", e);
    }
  }
}
