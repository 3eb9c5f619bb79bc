package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A running PostgreSQL server process (the postmaster) on one data directory: either the child
 * this JVM started, or an orphan left by a server that died. Stopping it escalates from a fast
 * shutdown to an immediate one to SIGKILL of the postmaster and its backends, each with a limit,
 * so a stop always ends.
 */
final class Postmaster {
  static final String SUPERUSER = "postgres";
  private static final String SETSID = "/usr/bin/setsid";
  /** How often a starting server is asked whether it accepts connections yet. */
  private static final Duration READY_POLL = Duration.ofMillis(50);
  private static final Duration EXIT_POLL = Duration.ofMillis(20);
  /** After an immediate shutdown (SIGQUIT) the backends exit at once; this is the slack. */
  private static final Duration IMMEDIATE_STOP_LIMIT = Duration.ofSeconds(5);
  /** Lines of PostgreSQL's log quoted when a start fails. */
  private static final int QUOTED_LINES = 6;

  private final ProcessHandle handle;
  private final int port;
  private final Process process; // null for an orphan
  private final Path log;
  private final long logOffset;

  private Postmaster(ProcessHandle handle, int port, Process process, Path log, long logOffset) {
    this.handle = handle;
    this.port = port;
    this.process = process;
    this.log = log;
    this.logOffset = logOffset;
  }

  /** A postmaster this JVM did not start (an orphan); only {@link #stop} is meaningful on it. */
  static Postmaster running(ProcessHandle handle) {
    return new Postmaster(handle, -1, null, null, 0);
  }

  /** Why a start failed; {@link #portInUse()} when another process took the port first. */
  static final class StartFailure extends IllegalStateException {
    private final boolean portInUse;

    StartFailure(String message, boolean portInUse) {
      super(message);
      this.portInUse = portInUse;
    }

    boolean portInUse() {
      return portInUse;
    }
  }

  /**
   * Runs {@code postgres} on {@code dataDirectory} with {@code settings} on a free loopback port,
   * appending its output to {@code log}, without waiting for it: see {@link #awaitReady}.
   *
   * @throws UncheckedIOException when the program cannot be run at all
   */
  static Postmaster launch(PostgresBinaries binaries, Path dataDirectory, Map<String, String> settings, Path log) {
    int port = freeLoopbackPort();
    var args = new ArrayList<>(List.of("-D", dataDirectory.toString(), "-p", Integer.toString(port)));
    settings.forEach((k, v) -> args.addAll(List.of("-c", k + "=" + v)));
    var command = new ArrayList<String>();
    // its own session: a Ctrl-C meant for the server must not reach PostgreSQL before the
    // server has finished with it
    if (Files.isExecutable(Path.of(SETSID))) {
      command.add(SETSID);
    }
    command.addAll(binaries.command("postgres", args));
    long logOffset = size(log);
    try {
      var process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      return new Postmaster(process.toHandle(), port, process, log, logOffset);
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command.getFirst() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns once the launched PostgreSQL accepts connections.
   *
   * <p>Fails as soon as PostgreSQL exits (a lock conflict, bad permissions, a damaged cluster:
   * all within milliseconds), quoting what it logged. Fails after {@code limit} if it runs but
   * never accepts connections, and stops it then; the limit is generous because crash recovery
   * may legitimately take a while.
   *
   * @throws StartFailure when PostgreSQL does not come up, with its own words
   */
  void awaitReady(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    var props = new Properties();
    props.setProperty("user", SUPERUSER);
    props.setProperty("connectTimeout", "2");
    props.setProperty("socketTimeout", "5");
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    while (true) {
      if (!process.isAlive()) {
        String said = said(log, logOffset);
        throw new StartFailure(
            "PostgreSQL exited at start (code " + exitCode(process) + "); it said: " + said,
            said.contains("could not bind") || said.contains("Address already in use"));
      }
      try (var c = DriverManager.getConnection(url, props); var st = c.createStatement()) {
        st.execute("SELECT 1");
        return;
      } catch (SQLException e) {
        // not listening yet, or "the database system is starting up" (crash recovery): wait
      }
      if (System.nanoTime() > deadline) {
        stop(Duration.ofSeconds(10));
        throw new StartFailure(
            "PostgreSQL did not accept connections within " + limit.toSeconds() + " s (stopped it); it said: "
                + said(log, logOffset),
            false);
      }
      sleep(READY_POLL);
    }
  }

  private static int exitCode(Process process) {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** What PostgreSQL logged since {@code offset}: its FATAL/ERROR lines with their DETAIL/HINT, else the last lines. */
  static String said(Path log, long offset) {
    List<String> lines;
    try {
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(Math.max(offset, 0), all.length);
      lines = new String(all, from, all.length - from, StandardCharsets.UTF_8).lines().map(Postmaster::withoutPrefix).toList();
    } catch (IOException e) {
      return "(its log " + log + " is unreadable: " + e.getMessage() + ")";
    }
    var important =
        lines.stream()
            .filter(l -> l.matches("^(FATAL|PANIC|ERROR|DETAIL|HINT):.*") || l.startsWith("postgres: ") || l.startsWith("unshare: "))
            .toList();
    var quoted = important.isEmpty() ? lines.subList(Math.max(0, lines.size() - QUOTED_LINES), lines.size()) : important;
    if (quoted.isEmpty()) {
      return "(nothing; see " + log + ")";
    }
    return String.join(" / ", quoted.subList(0, Math.min(quoted.size(), QUOTED_LINES))).replaceAll("\\s+", " ");
  }

  /** Drops PostgreSQL's {@code 2026-12-01 09:27:54.028 UTC [7471] } line prefix. */
  private static String withoutPrefix(String line) {
    int bracket = line.indexOf("] ");
    return line.matches("^\\d{4}-\\d\\d-\\d\\d .*") && bracket > 0 ? line.substring(bracket + 2).strip() : line.strip();
  }

  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static int freeLoopbackPort() {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port for PostgreSQL", e);
    }
  }

  long pid() {
    return handle.pid();
  }

  ProcessHandle handle() {
    return handle;
  }

  /** The TCP port on 127.0.0.1 (only for a postmaster this JVM started). */
  int port() {
    return port;
  }

  boolean isAlive() {
    return isRunning(handle);
  }

  /**
   * Stops the postmaster: a fast shutdown (SIGINT: sessions are ended, a shutdown checkpoint is
   * written), after {@code fastLimit} an immediate one (SIGQUIT: crash recovery on next start,
   * committed data is safe), then SIGKILL of it and its backends. Returns once all are gone or
   * SIGKILL was sent; does nothing when it has already exited.
   */
  void stop(Duration fastLimit) {
    // the backends, while they are still the postmaster's children
    List<ProcessHandle> tree = new ArrayList<>(handle.descendants().toList());
    tree.addFirst(handle);
    if (!isRunning(handle)) {
      return;
    }
    signal(handle.pid(), "INT");
    if (awaitExit(handle, fastLimit)) {
      return;
    }
    signal(handle.pid(), "QUIT");
    if (awaitExit(handle, IMMEDIATE_STOP_LIMIT)) {
      return;
    }
    for (ProcessHandle p : tree) {
      p.destroyForcibly();
    }
    for (ProcessHandle p : tree) {
      awaitExit(p, IMMEDIATE_STOP_LIMIT);
    }
  }

  /**
   * Polls rather than using {@code onExit()}: for a process that is not our child (an orphan)
   * the JDK notices the exit only seconds later.
   */
  private static boolean awaitExit(ProcessHandle process, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (isRunning(process)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(EXIT_POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !process.isAlive();
      }
    }
    return true;
  }

  /**
   * Alive and not a zombie: an orphan that exited stays a zombie until PID 1 reaps it, which in a
   * container may be never, and the JDK counts a zombie as alive.
   */
  static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      int afterName = stat.lastIndexOf(") ");
      return afterName < 0 || stat.charAt(afterName + 2) != 'Z';
    } catch (IOException e) {
      return process.isAlive();
    }
  }

  /** Sends {@code SIG<name>} with kill(1): Java can only send TERM and KILL. */
  private static void signal(long pid, String name) {
    try {
      var kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("could not signal PostgreSQL (PID " + pid + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for PostgreSQL to start", e);
    }
  }
}
