package io.tributary.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL of its own (not the shared one) that a test can stop and start again, on the same
 * data directory and the same port, to play an outage or a restart against a running server.
 *
 * <p>{@link #stop()} is PostgreSQL's fast shutdown ({@code pg_ctl stop -m fast}: sessions are
 * ended, open transactions roll back, committed data stays); {@link #start()} brings it back with
 * its data. fsync, full_page_writes and synchronous_commit are on, as everywhere in this project. {@link #close()} stops it and deletes the
 * data directory.
 */
public final class RestartablePostgres implements AutoCloseable {
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int port;
  private io.zonky.test.db.postgres.embedded.EmbeddedPostgres running;

  private RestartablePostgres(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Initialises a fresh data directory in a temporary folder and starts on a free port. */
  public static RestartablePostgres startFresh() {
    try {
      var pg = new RestartablePostgres(Files.createTempDirectory("tributary-restartable-pg"), freePort());
      pg.start();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare a data directory", e);
    }
  }

  /**
   * Starts PostgreSQL on this instance's data directory and port; returns once it accepts
   * connections. Does nothing when it runs already.
   */
  public synchronized void start() {
    if (running != null) {
      return;
    }
    try {
      running =
          io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setPGStartupWait(STARTUP_WAIT)
              // production durability, as the shared fixture: zonky defaults to -F and
              // synchronous_commit=off
              .setServerConfig("fsync", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "100")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start PostgreSQL on port " + port, e);
    }
  }

  /** Fast shutdown; returns once PostgreSQL has stopped. Does nothing when it is stopped. */
  public synchronized void stop() {
    if (running == null) {
      return;
    }
    try {
      running.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop PostgreSQL", e);
    } finally {
      running = null;
    }
  }

  public synchronized boolean isRunning() {
    return running != null;
  }

  public int port() {
    return port;
  }

  /** JDBC URL of a database on this server (user {@code postgres}, no password). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
  }

  /** Creates a fresh, empty database and returns its JDBC URL. Needs the server running. */
  public synchronized String createDatabase(String name) {
    if (running == null) {
      throw new IllegalStateException("PostgreSQL is stopped");
    }
    try (Connection c = running.getPostgresDatabase().getConnection();
        var st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return jdbcUrl(name);
  }

  /** Stops PostgreSQL and deletes its data directory. */
  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary directory is harmless
    }
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
