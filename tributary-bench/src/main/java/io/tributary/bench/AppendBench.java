package io.tributary.bench;

import io.tributary.postgres.StoreConfig;
import io.tributary.testing.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Durable appends/s of Tributary next to the seed's SQL replayed by pgbench, in one run on one
 * PostgreSQL, with ratios. Run it through {@code scripts/bench.sh}; {@code --help} lists the
 * options.
 *
 * <p>Cases (repeats interleaved, seed and Tributary alternating which goes first):
 *
 * <ul>
 *   <li>{@code wN}: N writers on N fresh streams (Tributary: N threads calling {@code append};
 *       seed: {@code pgbench -c N}), default store config.
 *   <li>{@code grow}: one writer on an empty stream and on one preloaded with {@code --preload}
 *       frames (Tributary with a retention cap above the preload so nothing is trimmed; seed as in
 *       run-anchors.sh's growth runs, but for a fixed duration).
 *   <li>{@code cap}: one writer on a stream already at the default durable retention cap, so every
 *       append also trims the oldest frame (Tributary only; the seed never trims durable frames).
 * </ul>
 */
public final class AppendBench {
  private static final long NO_TRIM_RETENTION = 1_000_000_000L;

  /** CPU used by neither PostgreSQL nor the client during a run above which the run is flagged. */
  private static final double NOISY_CORES = 0.3;

  /** Most seconds one bench run spends waiting for a quiet machine, over all its runs. */
  private static final double QUIET_BUDGET_S = 120;

  record Options(
      String db,
      String user,
      String password,
      Path refDir,
      int durationS,
      int warmUpS,
      int reps,
      List<String> cases,
      long preload,
      String pgbench,
      String psql,
      Path out,
      String sides,
      int quietWaitS,
      String redis,
      Long redisPid,
      String redisBenchmark,
      String redisCli) {}

  public static void main(String[] args) {
    try {
      run(parse(args));
    } catch (Exception e) {
      System.err.println("bench failed: " + e);
      e.printStackTrace();
      System.exit(1); // also stops the embedded server (shutdown hook)
    }
    System.exit(0);
  }

  private static void run(Options o) throws Exception {
    long started = System.nanoTime();
    for (var f : List.of("schema.sql", SeedRunner.SCRIPT)) {
      if (!Files.isReadable(o.refDir().resolve(f))) {
        die("no " + f + " in " + o.refDir() + " (set --ref-dir to shared/bench/pg-reference)");
      }
    }
    Files.createDirectories(o.out());
    var logDir = Files.createDirectories(o.out().resolve("logs"));

    Pg pg;
    String server;
    if (o.db() == null) {
      log("starting embedded PostgreSQL (zonky, PG 18)");
      var epg = EmbeddedPostgres.shared();
      pg = new Pg("127.0.0.1", epg.getPort(), "postgres", null);
      server = "embedded (zonky) on 127.0.0.1:" + epg.getPort();
    } else {
      int colon = o.db().lastIndexOf(':');
      String host = colon < 0 ? o.db() : o.db().substring(0, colon);
      int port = colon < 0 ? 5432 : Integer.parseInt(o.db().substring(colon + 1));
      pg = new Pg(host, port, o.user(), o.password());
      server = "external on " + host + ":" + port;
    }
    long cores = Runtime.getRuntime().availableProcessors();
    Long pm = pg.postmasterPid();

    var seed = new SeedRunner(pg, o.refDir(), o.pgbench(), o.psql(), logDir, pm, cores);
    var trib = new TributaryRunner(pg, pm, cores);
    var ceiling = new CeilingRunner(pg, pm, cores);
    var redis = o.redis() == null ? null
        : new RedisRunner(o.redis(), o.redisPid(), pg, o.redisBenchmark(), o.redisCli(), logDir, cores);
    log("setting up databases " + SeedRunner.DB + " (seed schema.sql) and " + TributaryRunner.DB);
    seed.setUp();
    trib.setUp();
    ceiling.setUp();
    var env = Env.collect(pg, server, o.pgbench());
    if (redis != null) {
      env.lines().add(redis.version());
    }

    if (o.warmUpS() > 0) {
      log("warm-up: Tributary " + Math.max(1, o.warmUpS() / 2) + " s at 1 writer + " + o.warmUpS()
          + " s at 8, then ANALYZE; pgbench " + Math.min(o.warmUpS(), 3) + " s at c=8 (not measured)");
      trib.warmUp(o.warmUpS());
      seed.warmUp(Math.min(o.warmUpS(), 3));
    }

    var results = new ArrayList<RunResult>();
    var gate = new Meter(pg, "postgres", pm);
    double waitedS = 0;
    var csv = o.out().resolve("runs.csv");
    Files.writeString(csv, RunResult.csvHeader() + "\n");
    int d = o.durationS();
    for (int rep = 1; rep <= o.reps(); rep++) {
      var done = new ArrayList<String>(); // seed and INSERT-ceiling keys measured in this rep
      for (var c : o.cases()) {
        var steps = new ArrayList<Step>();
        if (c.startsWith("w")) {
          var w = Writers.parse(c);
          // the seed's clients are synchronous: a pipelined case compares with its plain wN run
          String seedKey = "w" + w.writers();
          if (!done.contains(seedKey) && steps.stream().noneMatch(st -> st.key().equals(seedKey))) {
            steps.add(new Step("seed", seedKey, k -> seed.run(seedKey, k, w.writers(), 0, d)));
          }
          steps.add(new Step("tributary", c, k -> trib.run(c, k, w.writers(), w.inFlight(), 0,
              StoreConfig.DEFAULT_DURABLE_RETENTION, d, false)));
          // the INSERT ceiling is synchronous too: a pipelined case is compared with Redis only
          String insertKey = "insert-" + seedKey;
          if (!done.contains(insertKey) && !c.endsWith(TributaryRunner.SILENT)) {
            steps.add(new Step("insert", seedKey, k -> ceiling.run(seedKey, k, w.writers(), d)));
            done.add(insertKey);
          }
          if (redis != null && !c.endsWith(TributaryRunner.SILENT)) {
            steps.add(new Step("redis", c, k -> redis.run(c, k, w.writers(), w.inFlight(), d)));
          }
        } else if (c.equals("grow")) {
          String pk = "p" + o.preload();
          if (!done.contains("w1")) {
            steps.add(new Step("seed", "w1", k -> seed.run("w1", k, 1, 0, d)));
          }
          steps.add(new Step("seed", pk, k -> seed.run(pk, k, 1, o.preload(), d)));
          steps.add(new Step("tributary", "p0", k -> trib.run("p0", k, 1, 0, NO_TRIM_RETENTION, d)));
          steps.add(new Step("tributary", pk, k -> trib.run(pk, k, 1, o.preload(), NO_TRIM_RETENTION, d)));
        } else if (c.startsWith("cap")) {
          boolean fresh = c.startsWith("capfresh");
          String n = c.substring(fresh ? 8 : 3);
          long cap = n.isEmpty() ? StoreConfig.DEFAULT_DURABLE_RETENTION : Long.parseLong(n);
          steps.add(new Step("tributary", c, k -> trib.run(c, k, 1, cap, cap, d, fresh)));
        } else {
          die("unknown case " + c + " (use wN, wNpM, grow, cap or capN)");
        }
        if (!o.sides().equals("both") && !o.sides().equals("all")) {
          var wanted = List.of(o.sides().split(","));
          steps.removeIf(s -> !wanted.contains(s.side()));
        }
        // which side goes first rotates with the repeat, so no side always runs on a warmer machine
        int shift = rep - 1;
        steps.sort(java.util.Comparator.comparingInt(
            st -> Math.floorMod(SIDE_ORDER.indexOf(st.side()) - shift, SIDE_ORDER.size())));
        for (var s : steps) {
          log(String.format(Locale.ROOT, "rep %d/%d  %-9s %-8s", rep, o.reps(), s.side(), s.key()));
          waitedS += waitForQuiet(gate, (int) Math.min(o.quietWaitS(), QUIET_BUDGET_S - waitedS), cores);
          var r = s.run().run(rep);
          results.add(r);
          if (s.side().equals("seed")) {
            done.add(s.key());
          }
          Files.writeString(csv, r.csv() + "\n", java.nio.file.StandardOpenOption.APPEND);
          log(String.format(Locale.ROOT, "    %s appends/s, %.2f appends/tx, client %.2f cores, server %s cores",
              num(r.appendsPerSec()), r.appendsPerTx(), r.costs().clientCores(), fmt2(r.costs().serverCores())));
        }
      }
    }

    var wall = (System.nanoTime() - started) / 1e9;
    var bytes = new java.io.ByteArrayOutputStream();
    var report = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Report.print(report, o, env, results, wall, waitedS, NO_TRIM_RETENTION);
    var text = bytes.toString(StandardCharsets.UTF_8);
    Files.writeString(o.out().resolve("report.txt"), text);
    System.out.print(text);
    log("results in " + o.out());
  }

  /**
   * The machine is shared: before a run, sample one second of CPU used by neither the server nor
   * this JVM, and while it is above {@link #NOISY_CORES} wait (up to {@code maxS}). Returns the
   * seconds waited.
   */
  private static double waitForQuiet(Meter gate, int maxS, long cores) throws Exception {
    long start = System.nanoTime();
    double other = 0;
    while (true) {
      var a = gate.snapshot();
      Thread.sleep(1000);
      other = gate.between(a, gate.snapshot(), cores).otherCores();
      double waited = (System.nanoTime() - start) / 1e9;
      if (Double.isNaN(other) || other <= NOISY_CORES || waited >= maxS) {
        if (waited > 1.5) {
          log(String.format(Locale.ROOT, "    waited %.0f s for a quiet machine (other load now %.2f cores)",
              waited, other));
        }
        return Math.max(0, waited - 1); // the first second is the sample every run takes
      }
    }
  }

  @FunctionalInterface
  private interface Run {
    RunResult run(int rep) throws Exception;
  }

  private record Step(String side, String key, Run run) {}

  /** The targets, as ratios measured side by side in one run. */
  static final double INSERT_TARGET = 0.8;
  static final double REDIS_TARGET = 0.6;
  static final double PIPELINED_REDIS_TARGET = 0.3;
  static final double PRELOAD_TARGET = 0.9;

  private static final List<String> SIDE_ORDER = List.of("seed", "insert", "redis", "tributary");

  // ---------------------------------------------------------------- options

  private static Options parse(String[] args) {
    String db = null, user = "postgres", password = System.getenv("PGPASSWORD");
    Path ref = Path.of("../shared/bench/pg-reference");
    int dur = 10, warm = 5, reps = 2;
    long preload = 100_000;
    var cases = List.of("w1", "w8", "w8p32", "grow", "capfresh");
    String pgbench = "pgbench", psql = "psql";
    Path out = null;
    String sides = "both";
    int quietWait = 15;
    String redis = null, redisBenchmark = "redis-benchmark", redisCli = "redis-cli";
    Long redisPid = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        usage(System.out);
        System.exit(0);
      }
      if (i + 1 >= args.length) {
        die("missing value for " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--db" -> db = v.isBlank() ? null : v;
        case "--user" -> user = v;
        case "--password" -> password = v;
        case "--ref-dir" -> ref = Path.of(v);
        case "--dur" -> dur = Integer.parseInt(v);
        case "--warmup" -> warm = Integer.parseInt(v);
        case "--reps" -> reps = Integer.parseInt(v);
        case "--cases" -> cases = List.of(v.trim().split("[,\\s]+"));
        case "--preload" -> preload = Long.parseLong(v);
        case "--pgbench" -> pgbench = v;
        case "--psql" -> psql = v;
        case "--out" -> out = Path.of(v);
        case "--sides" -> sides = v;
        case "--quiet-wait" -> quietWait = Integer.parseInt(v);
        case "--redis" -> redis = v.isBlank() ? null : v;
        case "--redis-pid" -> redisPid = v.isBlank() ? null : Long.parseLong(v);
        case "--redis-benchmark" -> redisBenchmark = v;
        case "--redis-cli" -> redisCli = v;
        default -> die("unknown option " + a);
      }
    }
    if (dur < 1 || reps < 1 || warm < 0 || preload < 1) {
      die("--dur, --reps and --preload must be >= 1, --warmup >= 0");
    }
    if (out == null) {
      out = Path.of("target", "bench-results",
          DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
    }
    return new Options(db, user, password, ref.toAbsolutePath().normalize(), dur, warm, reps, cases, preload,
        pgbench, psql, out.toAbsolutePath(), sides, quietWait, redis, redisPid, redisBenchmark, redisCli);
  }

  private static void usage(PrintStream p) {
    p.println("""
        usage: AppendBench [options]   (normally via scripts/bench.sh)
          --db HOST:PORT     external PostgreSQL (superuser needed); default: embedded PG 18
          --user NAME        user for --db (default postgres); password from --password or PGPASSWORD
          --ref-dir DIR      shared/bench/pg-reference (schema.sql, append_durable.sql)
          --dur S            seconds per measured run (default 10)
          --warmup S         unmeasured warm-up before the first run (default 5; 0 = none)
          --reps N           interleaved repeats, alternating which side goes first; medians
                             when N > 1 (default 2)
          --cases LIST       w1,w8,w8p32,grow,capfresh (default); also wN for any N, wNpM (N
                             writers keeping M appends in flight each, appendAsync), a -silent
                             suffix on either (notifications off: what NOTIFY costs), cap (at the
                             default retention), capN (at retention N), capfresh / capfreshN (the
                             same with the planner statistics of a new, empty table)
          --preload N        frames in the preloaded stream of 'grow' (default 100000)
          --pgbench PATH     --psql PATH   client binaries (default: from PATH)
          --out DIR          where runs.csv, report.txt and pgbench logs go
          --sides S          all (default; also: both), or a comma list of tributary, seed,
                             insert (the plain-INSERT ceiling), redis
          --redis HOST:PORT  a redis-server with appendonly yes, appendfsync always (bench.sh
                             starts one); none: no Redis column
          --redis-pid PID    its pid (for its CPU share)
          --redis-benchmark PATH  --redis-cli PATH
          --quiet-wait S     before each run, wait up to S s (default 15; at most %.0f s in all)
                             for other load on the machine to drop below %s cores"""
            .formatted(QUIET_BUDGET_S, NOISY_CORES));
  }

  static void log(String s) {
    System.err.println(DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(Instant.now())
        + " " + s);
  }

  private static void die(String s) {
    System.err.println("bench: " + s);
    System.exit(2);
  }

  static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v).replace(',', ' ');
  }

  static String fmt2(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  // ---------------------------------------------------------------- report

  /** Medians and ranges over repeats, and the printed tables. */
  static final class Report {
    private Report() {}

    static double median(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
      var v = rs.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
      if (v.length == 0) {
        return Double.NaN;
      }
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static void print(
        PrintStream p, Options o, Env env, List<RunResult> results, double wallS, double waitedS, long bigCap) {
      Map<String, List<RunResult>> by = new LinkedHashMap<>();
      for (var r : results) {
        by.computeIfAbsent(r.side() + "/" + r.key(), k -> new ArrayList<>()).add(r);
      }
      p.println();
      p.println("== Tributary durable appends vs the seed's SQL (pgbench, variant a), a plain-INSERT ceiling and"
          + " Redis XADD (AOF fsync always), same machine, same PostgreSQL, one run");
      env.print(p);
      p.printf(Locale.ROOT,
          "runs: %d s each, %d rep(s) interleaved%s, warm-up %d s; TRUNCATE + CHECKPOINT before every run;"
              + " 100-byte payloads; total wall %.0f s (%.0f s of it waiting for a quiet machine)%n",
          o.durationS(), o.reps(), o.reps() > 1 ? " (median [min-max])" : "", o.warmUpS(), wallS, waitedS);
      p.println();

      var rows = new ArrayList<String[]>();
      rows.add(new String[] {"case", "Tributary appends/s", "seed appends/s", "INSERT ceiling", "Redis AOF always",
          "x seed", "x INSERT", "x Redis", "target"});
      String pk = "p" + o.preload();
      for (var c : o.cases()) {
        if (c.startsWith("w")) {
          var w = Writers.parse(c);
          int n = w.writers();
          boolean piped = w.inFlight() > 1;
          rows.add(row(n + (n == 1 ? " writer, 1 stream" : " writers, " + n + " streams")
                  + (piped ? ", " + w.inFlight() + " appends in flight each" : "")
                  + (c.endsWith(TributaryRunner.SILENT) ? ", NOTIFY off" : ""),
              by.get("tributary/" + c), by.get("seed/w" + n), piped ? null : by.get("insert/w" + n),
              by.get("redis/" + c.replace(TributaryRunner.SILENT, "")),
              piped ? Double.NaN : INSERT_TARGET, piped ? PIPELINED_REDIS_TARGET : REDIS_TARGET));
        } else if (c.equals("grow")) {
          rows.add(row("1 writer, empty stream", by.get("tributary/p0"), by.get("seed/w1")));
          rows.add(row("1 writer, stream preloaded with " + num(o.preload()), by.get("tributary/" + pk),
              by.get("seed/" + pk)));
          double ratio = median(by.get("tributary/" + pk), RunResult::appendsPerSec)
              / median(by.get("tributary/p0"), RunResult::appendsPerSec);
          double t = median(by.get("tributary/" + pk), RunResult::appendsPerSec)
              / median(by.get("tributary/p0"), RunResult::appendsPerSec);
          double s = median(by.get("seed/" + pk), RunResult::appendsPerSec)
              / median(by.get("seed/w1"), RunResult::appendsPerSec);
          rows.add(new String[] {"  preload ratio (" + num(o.preload()) + " / empty)",
              fmt2(t), fmt2(s), "", "", "", "", "", verdict(">= " + PRELOAD_TARGET, ratio >= PRELOAD_TARGET, ratio)});
        } else if (c.startsWith("cap")) {
          boolean fresh = c.startsWith("capfresh");
          String n = c.substring(fresh ? 8 : 3);
          long cap = n.isEmpty() ? StoreConfig.DEFAULT_DURABLE_RETENTION : Long.parseLong(n);
          rows.add(row("1 writer, stream at retention cap " + num(cap) + " (trims 1/append)"
              + (fresh ? ", fresh-table stats" : ""), by.get("tributary/" + c), null));
        }
      }
      table(p, rows, new boolean[] {false, true, true, true, true, true, true, true, false});
      for (var c : o.cases()) {
        var t = by.get("tributary/" + c);
        if (c.startsWith("w") && t != null
            && median(t, RunResult::framesPerStream) > StoreConfig.DEFAULT_DURABLE_RETENTION) {
          p.println("note: in " + c + " the streams passed the durable retention cap ("
              + num(StoreConfig.DEFAULT_DURABLE_RETENTION) + ") during the run; from there on every append"
              + " also trims the oldest frame (see frames/stream at end, p99, and the cap case).");
        }
      }
      p.println("x = Tributary / that side, medians. INSERT ceiling = one autocommitted INSERT per transaction into a"
          + " copy of tb_frame (same indexes) from this JVM via pgjdbc; Redis = redis-benchmark XADD of the same"
          + " payload, appendonly yes, appendfsync always. Targets: synchronous writers >= " + INSERT_TARGET
          + "x INSERT and >= " + REDIS_TARGET + "x Redis; pipelined >= " + PIPELINED_REDIS_TARGET
          + "x Redis pipelined; preload ratio >= " + PRELOAD_TARGET + ".");
      p.println("Tributary: default StoreConfig (durable retention " + num(StoreConfig.DEFAULT_DURABLE_RETENTION)
          + ", pool " + StoreConfig.DEFAULT_POOL_SIZE + ", maxBatch " + StoreConfig.DEFAULT_MAX_BATCH
          + "); the empty/preloaded pair runs with retention " + num(bigCap) + " so nothing is trimmed."
          + " Seed 'empty stream' = its 1-client run.");
      p.println();

      p.println("-- per run (medians): latency, appends per commit, WAL, CPU in cores of " + env.cores()
          + " (server = postgres processes, client = harness JVM or pgbench, other = rest of the machine)");
      var d = new ArrayList<String[]>();
      d.add(new String[] {"side", "case", "appends/s", "range", "lat avg ms", "p50", "p99", "appends/tx",
          "WAL B/append", "cpu server", "client", "other", "frames/stream at end", "errors"});
      for (var e : by.entrySet()) {
        var rs = e.getValue();
        var first = rs.getFirst();
        double lo = rs.stream().mapToDouble(RunResult::appendsPerSec).min().orElse(Double.NaN);
        double hi = rs.stream().mapToDouble(RunResult::appendsPerSec).max().orElse(Double.NaN);
        d.add(new String[] {
          first.side(), first.key(), num(median(rs, RunResult::appendsPerSec)),
          rs.size() > 1 ? num(lo) + "-" + num(hi) : "",
          f3(median(rs, RunResult::latAvgMs)), f3(median(rs, RunResult::latP50Ms)), f3(median(rs, RunResult::latP99Ms)),
          fmt2(median(rs, RunResult::appendsPerTx)), num(median(rs, RunResult::walBytesPerAppend)),
          fmt2(median(rs, r -> r.costs().serverCores())), fmt2(median(rs, r -> r.costs().clientCores())),
          fmt2(median(rs, r -> r.costs().otherCores())), num(median(rs, RunResult::framesPerStream)),
          Long.toString(rs.stream().mapToLong(RunResult::errors).sum())
        });
      }
      table(p, d, new boolean[] {false, false, true, true, true, true, true, true, true, true, true, true, true, true});
      var noisy = results.stream().filter(r -> r.costs().otherCores() > NOISY_CORES).toList();
      if (!noisy.isEmpty()) {
        p.println("(!) " + noisy.size() + " of " + results.size() + " runs shared the machine with more than "
            + NOISY_CORES + " cores of other load: " + String.join(", ",
                noisy.stream().map(r -> r.side() + "/" + r.key() + "/r" + r.rep() + "=" + fmt2(r.costs().otherCores()))
                    .toList()) + "; rerun or raise REPS if those rows matter.");
      }
      p.println("keys: wN = N writers on N streams; p0 / p" + o.preload() + " = 1 writer, empty / preloaded stream;"
          + " cap = 1 writer at the retention cap.");
    }

    private static String[] row(String name, List<RunResult> t, List<RunResult> s) {
      return row(name, t, s, null, null, Double.NaN, Double.NaN);
    }

    private static String[] row(String name, List<RunResult> t, List<RunResult> s, List<RunResult> ins,
        List<RunResult> redis, double insertTarget, double redisTarget) {
      double tv = rate(t);
      double xi = tv / rate(ins);
      double xr = tv / rate(redis);
      var goals = new ArrayList<String>();
      if (!Double.isNaN(insertTarget) && !Double.isNaN(xi)) {
        goals.add(verdict(">= " + insertTarget + "x INSERT", xi >= insertTarget, xi));
      }
      if (!Double.isNaN(redisTarget) && !Double.isNaN(xr)) {
        goals.add(verdict(">= " + redisTarget + "x Redis", xr >= redisTarget, xr));
      }
      return new String[] {name, withRange(t), withRange(s), withRange(ins), withRange(redis),
          ratio(tv / rate(s), "%.1fx"), ratio(xi, "%.2fx"), ratio(xr, "%.2fx"), String.join(", ", goals)};
    }

    private static double rate(List<RunResult> rs) {
      return rs == null || rs.isEmpty() ? Double.NaN : median(rs, RunResult::appendsPerSec);
    }

    private static String ratio(double v, String format) {
      return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static String verdict(String goal, boolean met, double value) {
      return Double.isNaN(value) ? "" : goal + (met ? " ok" : " MISSED");
    }

    private static String withRange(List<RunResult> rs) {
      if (rs == null || rs.isEmpty()) {
        return "-";
      }
      var m = num(median(rs, RunResult::appendsPerSec));
      if (rs.size() == 1) {
        return m;
      }
      double lo = rs.stream().mapToDouble(RunResult::appendsPerSec).min().orElse(Double.NaN);
      double hi = rs.stream().mapToDouble(RunResult::appendsPerSec).max().orElse(Double.NaN);
      return m + " [" + num(lo) + "-" + num(hi) + "]";
    }

    private static String f3(double v) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    static void table(PrintStream p, List<String[]> rows, boolean[] right) {
      int cols = rows.getFirst().length;
      var w = new int[cols];
      for (var r : rows) {
        for (int i = 0; i < cols; i++) {
          w[i] = Math.max(w[i], r[i].length());
        }
      }
      for (int k = 0; k < rows.size(); k++) {
        var r = rows.get(k);
        var sb = new StringBuilder("| ");
        for (int i = 0; i < cols; i++) {
          var cell = r[i];
          var pad = " ".repeat(w[i] - cell.length());
          sb.append(right[i] && k > 0 ? pad + cell : cell + pad).append(" | ");
        }
        p.println(sb.toString().stripTrailing());
        if (k == 0) {
          var sep = new StringBuilder("|");
          for (int i = 0; i < cols; i++) {
            sep.append(right[i] ? "-".repeat(w[i] + 1) + ":|" : "-".repeat(w[i] + 2) + "|");
          }
          p.println(sep);
        }
      }
    }
  }

  /** A writers case: {@code wN} (N synchronous writers) or {@code wNpM} (each keeps M appends in flight). */
  record Writers(int writers, int inFlight) {
    static Writers parse(String c) {
      var parts = c.substring(1).replace(TributaryRunner.SILENT, "").split("p", 2);
      return new Writers(
          Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 1);
    }
  }
}
