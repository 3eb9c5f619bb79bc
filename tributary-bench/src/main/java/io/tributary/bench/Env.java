package io.tributary.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Machine, JVM and server facts printed above the results. */
record Env(long cores, List<String> lines) {

  static Env collect(Pg pg, String server, String pgbench) throws SQLException {
    var l = new ArrayList<String>();
    long cores = Runtime.getRuntime().availableProcessors();
    l.add("date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
    l.add("host: " + cores + " cores, " + cpuModel() + ", " + memGiB() + " GiB RAM, kernel "
        + System.getProperty("os.version"));
    l.add("jvm: " + System.getProperty("java.vm.name") + " " + Runtime.version());
    l.add("postgres: " + pg.queryString("postgres", "SELECT version()").replaceFirst(" on .*", "") + ", " + server);
    l.add("pgbench: " + firstLine(pgbench, "--version"));
    l.add("settings: " + pg.queryString(
        "postgres",
        "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ' ' ORDER BY name) FROM pg_settings"
            + " WHERE name IN ('fsync','wal_sync_method','full_page_writes','shared_buffers','wal_buffers',"
            + " 'max_wal_size','checkpoint_timeout','commit_delay','jit','max_connections')"));
    l.add("synchronous_commit: " + SeedRunner.DB + "=" + pg.queryString(SeedRunner.DB, "SHOW synchronous_commit")
        + ", " + TributaryRunner.DB + "=" + pg.queryString(TributaryRunner.DB, "SHOW synchronous_commit")
        + " (pinned per database; zonky's server default is off)");
    var dataDir = pg.queryString("postgres", "SELECT setting FROM pg_settings WHERE name = 'data_directory'");
    l.add("data directory: " + dataDir + fsInfo(dataDir));
    return new Env(cores, l);
  }

  void print(PrintStream p) {
    lines.forEach(p::println);
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(s -> s.startsWith("model name"))
          .findFirst()
          .map(s -> s.substring(s.indexOf(':') + 1).strip())
          .orElse("?");
    } catch (Exception e) {
      return "?";
    }
  }

  private static String memGiB() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(s -> s.startsWith("MemTotal:"))
          .findFirst()
          .map(s -> Long.toString(Long.parseLong(s.replaceAll("\\D", "")) / 1024 / 1024))
          .orElse("?");
    } catch (Exception e) {
      return "?";
    }
  }

  private static String fsInfo(String dir) {
    if (dir == null) {
      return "";
    }
    try {
      var store = Files.getFileStore(Path.of(dir));
      return " (" + store.type() + " on " + store.name() + ")";
    } catch (Exception e) {
      return " (not local)";
    }
  }

  private static String firstLine(String... cmd) {
    try {
      var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      var out = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor();
      return out.lines().findFirst().orElse("?");
    } catch (Exception e) {
      return "not found (" + e.getMessage() + ")";
    }
  }
}
