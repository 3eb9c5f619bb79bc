package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The seed's SQL, replayed by pgbench exactly as {@code pg-reference/run-anchors.sh} does for
 * variant (a), on database {@value #DB}: TRUNCATE + CHECKPOINT before every run, one fresh stream
 * per client, {@code -M prepared}, J=1 at one client and J=2 above.
 */
final class SeedRunner {
  static final String DB = "ffref";
  static final String SCRIPT = "append_durable.sql";

  private final Pg pg;
  private final Path refDir;
  private final String pgbench;
  private final String psql;
  private final Path logDir;
  private final Meter meter;
  private final long cores;
  private int runNo;

  SeedRunner(Pg pg, Path refDir, String pgbench, String psql, Path logDir, Long postmasterPid, long cores) {
    this.pg = pg;
    this.refDir = refDir;
    this.pgbench = pgbench;
    this.psql = psql;
    this.logDir = logDir;
    this.meter = new Meter(pg, DB, postmasterPid);
    this.cores = cores;
  }

  /** Creates {@value #DB} and loads the seed's schema with psql, as run-anchors.sh does. */
  void setUp() throws SQLException, IOException, InterruptedException {
    pg.recreateDatabase(DB);
    var out = logDir.resolve("seed-schema.log");
    int rc =
        exec(
            List.of(
                psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg.host(), "-p", Integer.toString(pg.port()),
                "-U", pg.user(), "-d", DB, "-f", refDir.resolve("schema.sql").toString()),
            out);
    if (rc != 0) {
      throw new IllegalStateException("psql -f schema.sql failed (rc " + rc + "):\n" + Files.readString(out));
    }
  }

  /**
   * One pgbench run: {@code clients} clients, one stream each ({@code preload == 0}), or all on
   * one stream preloaded with {@code preload} frames (the growth runs of run-anchors.sh).
   */
  RunResult run(String key, int rep, int clients, long preload, int durationS)
      throws SQLException, IOException, InterruptedException {
    runNo++;
    long base = runNo * 1000L;
    int nstreams = preload > 0 ? 1 : clients;
    pg.execute(DB, "TRUNCATE ff_stream_frame, ff_stream_meta, ff_stream_summary", "CHECKPOINT");
    if (preload > 0) {
      preload(base, preload);
    }
    var tag = "seed_" + key + "_r" + rep;
    var log = logDir.resolve(tag + ".log");
    var before = meter.snapshot();
    int rc =
        exec(
            pgbenchArgs(clients, nstreams, base, "-T", Integer.toString(durationS)),
            log);
    awaitBackendsGone();
    var after = meter.snapshot();
    var text = Files.readString(log);
    if (rc != 0) {
      throw new IllegalStateException("pgbench failed (" + tag + "), rc " + rc + ":\n" + text);
    }
    double tps = parse(text, "^tps = ([0-9.]+)");
    double lat = parse(text, "^latency average = ([0-9.]+) ms");
    long txns = (long) parse(text, "^number of transactions actually processed: ([0-9]+)");
    double failed = parseOr(text, "^number of failed transactions: ([0-9]+)", 0);
    var fps = pg.queryString(DB,
        "SELECT avg(n) FROM (SELECT count(*) n FROM ff_stream_frame GROUP BY execution_id, attempt_index) s");
    return new RunResult(
        "seed", key, rep, tps, txns, lat, Double.NaN, Double.NaN, (long) failed,
        meter.between(before, after, cores), fps == null ? Double.NaN : Double.parseDouble(fps));
  }

  /**
   * pgbench's backends outlive it by a moment; their CPU only reaches the postmaster's child
   * counters once they have exited, so wait for that (at most 2 s) before reading them.
   */
  private void awaitBackendsGone() throws SQLException, InterruptedException {
    try (var c = pg.connect("postgres");
        var ps = c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
      ps.setString(1, DB);
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < deadline) {
        try (var rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            break;
          }
        }
        Thread.sleep(10);
      }
    }
    Thread.sleep(50); // and for the postmaster to reap them
  }

  /** A short unmeasured pgbench run so the first measured one does not pay cold caches. */
  void warmUp(int seconds) throws SQLException, IOException, InterruptedException {
    pg.execute(DB, "TRUNCATE ff_stream_frame, ff_stream_meta, ff_stream_summary");
    exec(pgbenchArgs(8, 8, 999_000, "-T", Integer.toString(seconds)), logDir.resolve("seed_warmup.log"));
  }

  private List<String> pgbenchArgs(int clients, int nstreams, long base, String... length) {
    var args = new ArrayList<>(List.of(
        pgbench, "-n", "-M", "prepared", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(),
        "-c", Integer.toString(clients), "-j", Integer.toString(clients < 2 ? 1 : 2)));
    args.addAll(List.of(length));
    args.addAll(List.of(
        "-D", "base=" + base, "-D", "nstreams=" + nstreams, "-D", "plen=100", "-D", "inited=0",
        "-f", refDir.resolve(SCRIPT).toString(), DB));
    return args;
  }

  /** run-anchors.sh's preload: one frame per ms ending 1 s ago, NOTIFY trigger off, then VACUUM. */
  private void preload(long base, long n) throws SQLException {
    long pk = base % 256;
    String eid = String.format("00000000-0000-4000-8000-%012d", base);
    pg.execute(
        DB,
        "SET session_replication_role = replica",
        "INSERT INTO ff_stream_frame (partition_key, execution_id, attempt_index, ts_ms, seq, fields, mode, created_at_ms)"
            + " SELECT " + pk + ", '" + eid + "'::uuid, 0, t0 - " + n + " + g, 0,"
            + " jsonb_build_object('frame_type','stdout','payload',repeat('x', 100),'encoding','utf8','source','worker'),"
            + " 'durable', t0 - " + n + " + g"
            + " FROM generate_series(1, " + n + ") g,"
            + " (SELECT (extract(epoch from clock_timestamp())*1000)::bigint - 1000 AS t0) s",
        "RESET session_replication_role",
        "VACUUM (ANALYZE) ff_stream_frame",
        "CHECKPOINT");
  }

  private int exec(List<String> cmd, Path out) throws IOException, InterruptedException {
    var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().putAll(pg.clientEnv());
    var p = pb.start();
    return p.waitFor();
  }

  private static double parse(String text, String regex) {
    var m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("pgbench output lacks /" + regex + "/:\n" + text);
    }
    return Double.parseDouble(m.group(1));
  }

  private static double parseOr(String text, String regex, double fallback) {
    var m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : fallback;
  }
}
