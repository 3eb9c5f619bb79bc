package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (the binaries packaged in the jar) run by {@code serve} when no database is
 * given. Its data directory is kept across restarts: the first start runs initdb, later starts
 * reuse the cluster and its data. The server's tables live in a database named {@value
 * #DATABASE}.
 *
 * <p>Crash safety: PostgreSQL runs with {@code fsync}, {@code full_page_writes} and {@code
 * synchronous_commit} on (see {@link #settings}); a watchdog stops it when the server dies, and a
 * start that finds a postmaster left behind by a dead server on the same directory stops that
 * one first. Settings and reasons: docs/operating.md, "Embedded PostgreSQL settings".
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  static final String DATABASE = "tributary";
  static final String LOG_FILE = "tributary-postgres.log";
  /** Crash recovery replays the WAL since the last checkpoint; a large backlog takes a while. */
  static final Duration READY_LIMIT = Duration.ofSeconds(60);
  /** A fast shutdown writes a checkpoint of up to shared_buffers; then it becomes an immediate one. */
  static final Duration STOP_LIMIT = Duration.ofSeconds(20);
  /** An orphan gets less time: the server waiting for it is down meanwhile. */
  static final Duration ORPHAN_STOP_LIMIT = Duration.ofSeconds(10);
  static final int MAX_CONNECTIONS = 200;
  /** The free port we pick can be taken by another process before PostgreSQL binds it: pick again. */
  private static final int START_ATTEMPTS = 3;
  /** The log is appended to at each start; beyond this size it is rotated to {@code .1}. */
  private static final long LOG_ROTATE_BYTES = 10L * 1024 * 1024;

  private final Path dataDirectory;
  private final DataDirectoryLock lock;
  private final Postmaster postmaster;
  private final PostmasterWatchdog watchdog;
  private final OwnershipMarker marker;

  private EmbeddedDatabase(
      Path dataDirectory, DataDirectoryLock lock, Postmaster postmaster, PostmasterWatchdog watchdog, OwnershipMarker marker) {
    this.dataDirectory = dataDirectory;
    this.lock = lock;
    this.postmaster = postmaster;
    this.watchdog = watchdog;
    this.marker = marker;
  }

  /**
   * The server settings, passed on PostgreSQL's command line so that nothing in {@code
   * postgresql.conf} or {@code ALTER SYSTEM} can override them.
   *
   * @param fsync false only for throwaway data ({@code --unsafe-no-fsync}): a power loss or
   *     kernel crash may then lose acknowledged appends or corrupt the cluster
   */
  static Map<String, String> settings(boolean fsync) {
    var s = new LinkedHashMap<String, String>();
    s.put("fsync", fsync ? "on" : "off");
    s.put("full_page_writes", "on");
    s.put("synchronous_commit", "on");
    s.put("listen_addresses", "127.0.0.1");
    // TCP only: no socket files in /tmp to go stale when the postmaster is killed
    s.put("unix_socket_directories", "");
    s.put("max_connections", Integer.toString(MAX_CONNECTIONS));
    s.put("timezone", "UTC");
    return s;
  }

  /** {@link #start(Path, boolean)} with fsync on. */
  static EmbeddedDatabase start(Path dataDirectory) {
    return start(dataDirectory, true);
  }

  /**
   * Starts PostgreSQL on a free loopback port with its data in {@code dataDirectory}, creating
   * the directory (and the cluster) when missing.
   *
   * <p>When the directory's {@code postmaster.pid} names a live postmaster that a server which
   * has since died started there (recorded in {@link OwnershipMarker}), that postmaster is
   * stopped first. Any other live process it names is left alone, and the start then fails at
   * once with PostgreSQL's reason.
   *
   * @throws IllegalStateException when PostgreSQL does not start, e.g. because another server
   *     still runs on the same directory; the message says why, in PostgreSQL's words where it
   *     gave any
   */
  static EmbeddedDatabase start(Path dataDirectory, boolean fsync) {
    Path dir = dataDirectory.toAbsolutePath().normalize();
    try {
      var binaries = PostgresBinaries.unpacked();
      initdbIfMissing(binaries, dir);
      Path real = dir.toRealPath();
      var lock = DataDirectoryLock.acquire(real);
      Postmaster postmaster = null;
      PostmasterWatchdog watchdog = null;
      try {
        var marker = new OwnershipMarker(real);
        String foreign = stopOrphan(real, marker).orElse(null);
        Path logFile = rotatedLog(real);
        for (int attempt = 1; ; attempt++) {
          postmaster = Postmaster.launch(binaries, real, settings(fsync), logFile);
          // recorded and watched from the moment it runs, so a server killed even now leaves no orphan
          marker.record(postmaster);
          watchdog = PostmasterWatchdog.arm(postmaster, real);
          try {
            postmaster.awaitReady(READY_LIMIT);
            break;
          } catch (Postmaster.StartFailure e) {
            watchdog.close();
            watchdog = null;
            postmaster = null;
            marker.clear();
            if (!e.portInUse() || attempt == START_ATTEMPTS) {
              throw new IllegalStateException(foreign == null ? e.getMessage() : foreign + "; " + e.getMessage(), e);
            }
          }
        }
        var db = new EmbeddedDatabase(real, lock, postmaster, watchdog, marker);
        db.createDatabaseIfMissing();
        if (!fsync) {
          log.warn("embedded PostgreSQL runs with fsync=off (--unsafe-no-fsync): a power loss or kernel crash"
              + " can lose acknowledged appends or corrupt {}", real);
        }
        return db;
      } catch (RuntimeException e) {
        if (watchdog != null) {
          watchdog.close();
        }
        if (postmaster != null) {
          postmaster.stop(STOP_LIMIT);
        }
        lock.close();
        throw e;
      }
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new IllegalStateException("could not start embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalStateException("could not start embedded PostgreSQL in " + dir + ": " + e, e);
    }
  }

  /**
   * Stops the postmaster named by the directory's lock file when it is provably the orphan of a
   * dead server (we hold the directory lock, so its server is gone).
   *
   * @return why a live process there was left alone, when one was
   */
  private static Optional<String> stopOrphan(Path dir, OwnershipMarker marker) {
    var pidFile = PostmasterPidFile.read(dir);
    if (pidFile.isEmpty()) {
      return Optional.empty();
    }
    var process = ProcessHandle.of(pidFile.get().pid()).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return Optional.empty(); // stale: PostgreSQL replaces it itself
    }
    long pid = process.get().pid();
    if (!marker.provesOurs(process.get(), dir) && stoppedWithin(process.get(), DYING_GRACE)) {
      // a postmaster killed a moment ago (its whole tree, say) is still dying or a zombie that
      // PID 1 has not reaped: it cannot be proven ours any more (no cwd, no start time), but it
      // holds nothing, and PostgreSQL would take the PID for a live postmaster and refuse to start
      removeStalePidFile(dir);
      return Optional.empty();
    }
    if (!marker.provesOurs(process.get(), dir)) {
      return Optional.of(
          "its postmaster.pid names PID " + pid + ", a running process that no Tributary server on this"
              + " directory started, so it is left alone (stop it, e.g. kill -INT " + pid
              + ", or pass another --data-dir)");
    }
    log.warn("stopping PostgreSQL (PID {}) left running in {} by a server (PID {}) that has died",
        pid, dir, marker.recordedBy().orElse("?"));
    Postmaster.running(process.get()).stop(ORPHAN_STOP_LIMIT);
    marker.clear();
    if (process.get().isAlive() && !Postmaster.isRunning(process.get())) {
      // exited, but a zombie until PID 1 reaps it; PostgreSQL would take the PID for a live
      // postmaster and refuse to start, and this one is provably ours and gone
      removeStalePidFile(dir);
    }
    return Optional.empty();
  }

  /** How long a process named by a stale lock file may take to finish dying. */
  private static final java.time.Duration DYING_GRACE = java.time.Duration.ofSeconds(2);

  /** True when the process is, or within {@code grace} becomes, gone or a zombie. */
  private static boolean stoppedWithin(ProcessHandle process, java.time.Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    while (Postmaster.isRunning(process)) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static void removeStalePidFile(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(PostmasterPidFile.NAME));
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove the stale " + PostmasterPidFile.NAME + ": " + e, e);
    }
  }

  private static void initdbIfMissing(PostgresBinaries binaries, Path dir) throws IOException {
    if (Files.exists(dir.resolve("PG_VERSION"))) {
      return;
    }
    Files.createDirectories(dir);
    // -k: page checksums (PostgreSQL 18's default too) turn silent corruption into an error;
    // C locale: the same sort order on every machine
    var command = binaries.command(
        "initdb", List.of("-A", "trust", "-U", Postmaster.SUPERUSER, "-E", "UTF8", "--no-locale", "-k", "-D", dir.toString()));
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("initdb failed: " + output.strip().replaceAll("\\s+", " "));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during initdb", e);
    }
  }

  private static Path rotatedLog(Path dir) throws IOException {
    Path logFile = dir.resolve(LOG_FILE);
    if (Postmaster.size(logFile) > LOG_ROTATE_BYTES) {
      Files.move(logFile, dir.resolve(LOG_FILE + ".1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return logFile;
  }

  private void createDatabaseIfMissing() {
    try (var c = DriverManager.getConnection(jdbcUrl("postgres"), Postmaster.SUPERUSER, null);
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
      throw new IllegalStateException("could not create database " + DATABASE + ": " + e.getMessage(), e);
    }
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + postmaster.port() + "/" + database;
  }

  DatabaseUrl url() {
    return new DatabaseUrl(jdbcUrl(DATABASE), Postmaster.SUPERUSER, null);
  }

  /** The postmaster's PID (for tests and messages). */
  long pid() {
    return postmaster.pid();
  }

  int port() {
    return postmaster.port();
  }

  Path dataDirectory() {
    return dataDirectory;
  }

  /** Stops PostgreSQL (fast shutdown, escalating if it hangs); the data directory stays. */
  @Override
  public void close() {
    try {
      watchdog.close();
    } finally {
      try {
        postmaster.stop(STOP_LIMIT);
        marker.clear();
      } finally {
        lock.close();
      }
    }
  }
}
