package io.tributary.bench;

/**
 * One measured run of one side.
 *
 * @param side {@code tributary} or {@code seed}
 * @param key what was measured, e.g. {@code w8} (8 writers, 8 streams) or {@code p100000}
 * @param appendsPerSec committed appends per second of the measured window
 * @param appends appends committed in the window
 * @param latAvgMs mean append latency (pgbench: its "latency average")
 * @param latP99Ms 99th percentile (NaN for pgbench, which reports only the mean without -l)
 * @param errors failed appends (a non-zero count makes the run suspect)
 * @param framesPerStream frames appended to a stream in its lifetime (preload included), mean over
 *     the run's streams, read after the run
 */
record RunResult(
    String side,
    String key,
    int rep,
    double appendsPerSec,
    long appends,
    double latAvgMs,
    double latP50Ms,
    double latP99Ms,
    long errors,
    Meter.Costs costs,
    double framesPerStream) {

  /** Appends per committed transaction (the group-commit batch for Tributary). */
  double appendsPerTx() {
    return costs.xids() > 0 ? (double) appends / costs.xids() : Double.NaN;
  }

  double walBytesPerAppend() {
    return appends > 0 ? costs.walBytes() / appends : Double.NaN;
  }

  static String csvHeader() {
    return "side,key,rep,appends_per_s,appends,lat_avg_ms,lat_p50_ms,lat_p99_ms,errors,seconds,"
        + "xids,appends_per_tx,wal_bytes_per_append,machine_busy_cores,server_cores,client_cores,other_cores,"
        + "frames_per_stream_at_end";
  }

  String csv() {
    return String.join(
        ",",
        side,
        key,
        Integer.toString(rep),
        f(appendsPerSec),
        Long.toString(appends),
        f(latAvgMs),
        f(latP50Ms),
        f(latP99Ms),
        Long.toString(errors),
        f(costs.seconds()),
        Long.toString(costs.xids()),
        f(appendsPerTx()),
        f(walBytesPerAppend()),
        f(costs.machineBusyCores()),
        f(costs.serverCores()),
        f(costs.clientCores()),
        f(costs.otherCores()),
        f(framesPerStream));
  }

  private static String f(double v) {
    return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.3f", v);
  }
}
