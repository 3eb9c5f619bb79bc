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
 * <p>redis-benchmark runs a fixed count, not a duration: the first run of a case sends a guess,
 * later ones the count the last run of that case managed in {@code durationS}.
 */
final class RedisRunner {
  private static final Map<Integer, Long> FIRST_GUESS_PER_S = Map.of(1, 6_000L, 32, 150_000L);

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
    exec(List.of(cli, "-h", host, "-p", Integer.toString(port), "DEL", "s"), logDir.resolve("redis-del.log"));
    double guess = lastRate.getOrDefault(key,
        (double) FIRST_GUESS_PER_S.getOrDefault(pipeline, 0L) * (pipeline > 1 ? 1 : clients > 1 ? 4 : 1));
    long n = Math.max(2_000, (long) (guess * durationS));
    var payload = "x".repeat(TributaryRunner.PAYLOAD_BYTES);
    var cmd = new ArrayList<>(List.of(benchmark, "-h", host, "-p", Integer.toString(port), "-n", Long.toString(n),
        "-c", Integer.toString(clients), "-P", Integer.toString(pipeline), "--csv",
        "XADD", "s", "*", "frame_type", "stdout", "payload", payload));
    var log = logDir.resolve("redis_" + key + "_r" + rep + ".log");
    var before = meter.snapshot();
    int rc = exec(cmd, log);
    var after = meter.snapshot();
    var text = Files.readString(log);
    if (rc != 0) {
      throw new IllegalStateException("redis-benchmark failed (" + key + "), rc " + rc + ":\n" + text);
    }
    // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    var row = text.lines().filter(l -> l.startsWith("\"XADD")).reduce((a, b) -> b)
        .orElseThrow(() -> new IllegalStateException("no CSV row in redis-benchmark output:\n" + text));
    var f = row.substring(row.indexOf("\",\"") + 3, row.length() - 1).split("\",\"");
    double rps = Double.parseDouble(f[0]);
    lastRate.put(key, rps);
    return new RunResult("redis", key, rep, rps, n, Double.parseDouble(f[1]), Double.parseDouble(f[3]),
        Double.parseDouble(f[5]), 0, meter.between(before, after, cores), Double.NaN);
  }

  private static int exec(List<String> cmd, Path out) throws IOException, InterruptedException {
    var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    return p.waitFor();
  }
}
