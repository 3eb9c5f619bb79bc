package io.tributary.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The one PostgreSQL server both sides of the benchmark run on, reached over TCP on {@code host}
 * (127.0.0.1 for the embedded server, like pgbench's {@code -h 127.0.0.1}).
 */
record Pg(String host, int port, String user, String password) {

  String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  Connection connect(String database) throws SQLException {
    var p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("ApplicationName", "tributary-bench");
    var c = DriverManager.getConnection(jdbcUrl(database), p);
    c.setAutoCommit(true);
    return c;
  }

  /** Environment for pgbench and psql: the password travels in PGPASSWORD, never in argv. */
  Map<String, String> clientEnv() {
    var env = new HashMap<String, String>();
    if (password != null) {
      env.put("PGPASSWORD", password);
    }
    return env;
  }

  /**
   * Drops and creates a database, with {@code synchronous_commit = on} pinned on it: zonky's
   * embedded server starts with {@code synchronous_commit = off}, and a benchmark of durable
   * appends must wait for the WAL flush like a real deployment does.
   */
  void recreateDatabase(String name) throws SQLException {
    try (var c = connect("postgres");
        var st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      st.execute("CREATE DATABASE " + name);
      st.execute("ALTER DATABASE " + name + " SET synchronous_commit = on");
    }
  }

  void execute(String database, String... sql) throws SQLException {
    try (var c = connect(database);
        var st = c.createStatement()) {
      for (var s : sql) {
        st.execute(s);
      }
    }
  }

  String queryString(String database, String sql) throws SQLException {
    try (var c = connect(database);
        var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * The postmaster's pid when the server runs on this host and its data directory is readable;
   * null otherwise (then the CPU split reports no server share).
   */
  Long postmasterPid() {
    try {
      var dir = queryString("postgres", "SELECT setting FROM pg_settings WHERE name = 'data_directory'");
      if (dir == null) {
        return null;
      }
      var pidFile = Path.of(dir, "postmaster.pid");
      if (!Files.isReadable(pidFile)) {
        return null;
      }
      long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
      return Files.exists(Path.of("/proc", Long.toString(pid))) ? pid : null;
    } catch (Exception e) {
      return null;
    }
  }
}
