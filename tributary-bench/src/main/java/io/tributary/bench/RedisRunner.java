package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis Streams, what a user would pick instead: {@code redis-benchmark} sending {@code XADD s '*'
 * frame_type stdout payload <100 bytes>} to a {@code redis-server} that {@code scripts/bench.sh}
 * started with {@code --appendonly yes --appendfsync always} (every write fsynced before the
 * reply, Redis's durable mode). {@code -c} writers, {@code -P} commands in flight per writer.
 *
 * <p>redis-benchmark runs a fixed count, not a duration: before the first run of a case a short
 * probe measures the rate, and each run sends what the last rate makes last {@code durationS}
 * (on a busy shared machine a fixed guess could run for minutes).
 */
final class RedisRunner {
  /** Commands of the probe run per writer and command in flight: a fraction of a second. */
  private static final long PROBE_PER_SLOT = 250;

  private final String host;
  private final int port;
  private final String benchmark;
  private final String cli;
  private final Path logDir;
  private final Meter meter;
  private final long cores;
  private final Map<String, Double> lastRate = new HashMap<>();

  RedisRunner(String hostPort, Long redisPid, Pg pg, String benchmark, String cli, Path logDir, long cores) {
    int colon = hostPort.lastIndexOf(':');
    this.host = hostPort.substring(0, colon);
    this.port = Integer.parseInt(hostPort.substring(colon + 1));
    this.benchmark = benchmark;
    this.cli = cli;
    this.logDir = logDir;
    // the redis-server's own CPU shows as "server"; WAL and xids stay 0 (nothing touches PostgreSQL)
    this.meter = new Meter(pg, TributaryRunner.DB, redisPid);
    this.cores = cores;
  }

  /** The version line of the server, for the report header. */
  String version() {
    try {
      var p = new ProcessBuilder(cli, "-h", host, "-p", Integer.toString(port), "INFO", "server")
          .redirectErrorStream(true).start();
      var out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      var v = out.lines().filter(l -> l.startsWith("redis_version:")).findFirst().orElse("redis_version:?");
      var cfg = new ProcessBuilder(cli, "-h", host, "-p", Integer.toString(port), "CONFIG", "GET", "append*")
          .redirectErrorStream(true).start();
      var c = new String(cfg.getInputStream().readAllBytes()).strip().replace('\n', ' ');
      cfg.waitFor();
      return "redis " + v.substring(v.indexOf(':') + 1).strip() + " on " + host + ":" + port + " (" + c + ")";
    } catch (IOException | InterruptedException e) {
      return "redis ? (" + e.getMessage() + ")";
    }
  }

  RunResult run(String key, int rep, int clients, int pipeline, int durationS)
      throws IOException, InterruptedException, SQLException {
    if (!lastRate.containsKey(key)) {
      lastRate.put(key, xadd(key + "_probe", rep, clients, pipeline, PROBE_PER_SLOT * clients * pipeline)[0]);
    }
    long n = Math.max(1_000, (long) (lastRate.get(key) * durationS));
    var before = meter.snapshot();
    var f = xadd(key, rep, clients, pipeline, n);
    var after = meter.snapshot();
    double rps = f[0];
    lastRate.put(key, rps);
    return new RunResult("redis", key, rep, rps, n, f[1], f[3],
        f[5], 0, meter.between(before, after, cores), Double.NaN);
  }

  /**
   * One redis-benchmark run of {@code n} XADDs on a fresh stream; its CSV fields rps, avg, min,
   * p50, p95, p99, max (ms).
   */
  private double[] xadd(String key, int rep, int clients, int pipeline, long n)
      throws IOException, InterruptedException {
    exec(List.of(cli, "-h", host, "-p", Integer.toString(port), "DEL", "s"), logDir.resolve("redis-del.log"));
    var payload = "x".repeat(TributaryRunner.PAYLOAD_BYTES);
    var cmd = new ArrayList<>(List.of(benchmark, "-h", host, "-p", Integer.toString(port), "-n", Long.toString(n),
        "-c", Integer.toString(clients), "-P", Integer.toString(pipeline), "--csv",
        "XADD", "s", "*", "frame_type", "stdout", "payload", payload));
    var log = logDir.resolve("redis_" + key + "_r" + rep + ".log");
    int rc = exec(cmd, log);
    var text = Files.readString(log);
    if (rc != 0) {
      throw new IllegalStateException("redis-benchmark failed (" + key + "), rc " + rc + ":\n" + text);
    }
    // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    var row = text.lines().filter(l -> l.startsWith("\"XADD")).reduce((a, b) -> b)
        .orElseThrow(() -> new IllegalStateException("no CSV row in redis-benchmark output:\n" + text));
    var cells = row.substring(row.indexOf("\",\"") + 3, row.length() - 1).split("\",\"");
    var out = new double[cells.length];
    for (int i = 0; i < cells.length; i++) {
      out[i] = Double.parseDouble(cells[i]);
    }
    return out;
  }

  private static int exec(List<String> cmd, Path out) throws IOException, InterruptedException {
    var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    return p.waitFor();
  }
}
