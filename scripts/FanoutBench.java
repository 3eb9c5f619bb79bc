import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Pattern;

/**
 * The fan-out benchmark's client (run by scripts/bench-fanout.sh with the JDK's source launcher):
 * many Durable Streams SSE readers of a server's attempt streams on one NIO selector, appends over
 * REST, and the server's and PostgreSQL's costs read from /proc and pg_stat_database. Loopback only.
 *
 * <p>Usage: java FanoutBench.java URL SERVER_PID PG_PORT PG_PID STREAMS READERS_PER_STREAM IDLE_SECONDS [WARMUP_ROUNDS]
 */
public final class FanoutBench {
  private static final String PAYLOAD_MARK = "\"payload\":\"b";
  private static final String OFFSET_MARK = "\"streamNextOffset\":\"";
  private static final int MAX_APPENDS = 100_000;

  private final String base;
  private final String host;
  private final int port;
  private final long serverPid;
  private final int pgPort;
  private final long pgPid;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
  private final List<String> executions = new ArrayList<>();
  private final List<String> handles = new ArrayList<>();
  private final AtomicLongArray sentAt = new AtomicLongArray(MAX_APPENDS);
  /** When each append's answer arrived (0: not yet). */
  private final AtomicLongArray answeredAt = new AtomicLongArray(MAX_APPENDS);
  private final AtomicInteger nextAppend = new AtomicInteger();
  /** Deliveries {append id, arrival nanos} of the phase being measured; appends below {@code phaseFrom} are not counted. */
  private final ConcurrentLinkedQueue<long[]> deliveries = new ConcurrentLinkedQueue<>();
  private volatile int phaseFrom = Integer.MAX_VALUE;
  private final AtomicInteger upToDate = new AtomicInteger();
  /** Readers connected (up to date once) per stream. */
  private final java.util.concurrent.atomic.AtomicIntegerArray connected = new java.util.concurrent.atomic.AtomicIntegerArray(100_000);
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicInteger appendRetries = new AtomicInteger();
  /** Only the append loads (and the connect and warm-up between them): no idle, memory or burst phases. */
  private boolean appendsOnly;
  private final ConcurrentLinkedQueue<Reader> toOpen = new ConcurrentLinkedQueue<>();
  private Selector selector;
  private volatile Thread selectorThread;
  /** Readers connecting and not yet up to date; touched by the selector thread only. */
  private int opening;
  private static final int MAX_OPENING = 64;

  FanoutBench(String url, long serverPid, int pgPort, long pgPid) {
    this.base = url;
    var u = URI.create(url);
    if (!u.getHost().startsWith("127.")) {
      throw new IllegalArgumentException("loopback only");
    }
    this.host = u.getHost();
    this.port = u.getPort();
    this.serverPid = serverPid;
    this.pgPort = pgPort;
    this.pgPid = pgPid;
  }

  public static void main(String[] args) throws Exception {
    var b = new FanoutBench(args[0], Long.parseLong(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
    b.appendsOnly = args.length > 8 && args[8].equals("1");
    b.run(Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]), args.length > 7 ? Integer.parseInt(args[7]) : 0);
    System.exit(0);
  }

  void run(int streams, int perStream, int idleSeconds, int warmupRounds) throws Exception {
    for (int s = 0; s < streams; s++) {
      startAttempt();
    }
    print("setup", "streams=" + streams + " readers_per_stream=" + perStream);
    // the same load once unmeasured first, so the no-reader figure meets compiled code as the one
    // with readers does (the server is fresh from its start)
    appendLoad(streams, 8);
    var alone = measuredAppends("appends_no_readers", streams);
    appendToEvery(streams); // opens the appender's connections
    for (int round = 0; round < (appendsOnly ? 0 : 3); round++) {
      long c0 = cpuTicks(List.of(serverPid));
      var appended = appendToEvery(streams);
      print("append_to_every_stream_no_readers", appended.summary() + " server_cpu_ms=" + (cpuTicks(List.of(serverPid)) - c0) * 10);
      Thread.sleep(500);
    }
    long heap0 = liveHeapBytes();
    long rss0 = rssKib(serverPid);
    selector = Selector.open();
    var loop = Thread.ofPlatform().name("sse-selector").daemon().start(this::selectLoop);
    selectorThread = loop;
    int total = streams * perStream;
    long t0 = System.nanoTime();
    for (int i = 0; i < total; i++) {
      toOpen.add(new Reader(i % streams));
    }
    selector.wakeup();
    long deadline = t0 + Duration.ofSeconds(60).toNanos();
    while (upToDate.get() + failures.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    print(
        "connect",
        String.format("readers=%d up_to_date=%d failures=%d seconds=%.1f", total, upToDate.get(), failures.get(), (System.nanoTime() - t0) / 1e9));
    // warm-up: the measured phases should see compiled code, not the JIT compiling the fan-out
    // path (it otherwise runs through the idle window and the first bursts)
    for (int round = 0; round < warmupRounds; round++) {
      deliver("warmup_append_to_every_stream", upToDate.get(), () -> appendToEvery(streams));
      int stream = round % streams;
      deliver("warmup_one_append", connected.get(stream), () -> append(stream));
    }
    Thread.sleep(appendsOnly ? 1_000 : 5_000);
    if (!appendsOnly) {
      idle(idleSeconds, total, heap0, rss0);
    }
    for (int round = 0; round < (appendsOnly ? 0 : 10); round++) {
      int stream = ThreadLocalRandom.current().nextInt(streams);
      // a reader refused while connecting is not retried: count the ones that are connected
      deliver("one_append", connected.get(stream), () -> append(stream));
    }
    Thread.sleep(1_000);
    for (int round = 0; round < (appendsOnly ? 0 : 3); round++) {
      deliver("append_to_every_stream", upToDate.get(), () -> appendToEvery(streams));
    }
    // the same load once unmeasured with the readers too: the fan-out's code compiled, as the
    // no-reader figure's append path is
    appendLoad(streams, 8);
    var loaded = measuredAppends("appends_with_readers", streams);
    print("totals", "reader_failures=" + failures.get() + " reconnects=" + reconnects.get() + " append_503_retries=" + appendRetries.get());
    // the same appends again with the readers gone: the first no-reader run met a server fresh
    // from its start (the JIT compiling), so this one is the fair twin of the run with readers
    loop.interrupt();
    loop.join(5_000);
    for (var key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
    long deadline2 = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (liveReaders() > 0 && System.nanoTime() < deadline2) {
      Thread.sleep(100);
    }
    // the feeds end 5 s after their last reader left (StreamFeed.LINGER_NANOS): gone before this
    Thread.sleep(6_000);
    var after = measuredAppends("appends_no_readers_after", streams);
    print(
        "appends_p99_ratio",
        String.format(
            "with_readers_over_no_readers=%.2f with_readers_over_after=%.2f live_readers_left=%d",
            loaded.p99() / Math.max(1e-9, alone.p99()), loaded.p99() / Math.max(1e-9, after.p99()), liveReaders()));
  }

  // ------------------------------------------------------------------ measurements

  /**
   * The 8 s append load, printed with what it cost: CPU of the server (kernel share), PostgreSQL
   * and this client per append, transactions per append, and the server's busiest thread groups.
   */
  private Latencies measuredAppends(String name, int streams) throws Exception {
    long server0 = cpuTicks(List.of(serverPid));
    long sys0 = sysTicks(serverPid);
    var pg = postgresPids();
    long pg0 = cpuTicks(pg);
    long client0 = clientCpuNanos();
    long selector0 = selectorCpuNanos();
    var threads0 = threadTicks(serverPid);
    long x0 = xactCommits();
    deliveries.clear();
    int first = nextAppend.get();
    phaseFrom = first;
    long t0 = System.nanoTime();
    var lat = appendLoad(streams, 8);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Thread.sleep(deliveries.isEmpty() ? 0 : 1_000);
    phaseFrom = Integer.MAX_VALUE;
    if (!deliveries.isEmpty()) {
      // the appends' deliveries to their readers meanwhile: the fan-out kept up (or not)
      var d = deliveries.stream().mapToLong(v -> (v[1] - sentAt.get((int) v[0])) / 1_000).sorted().toArray();
      print(name + "_deliveries", String.format("events=%d per_append=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f", d.length, d.length / (double) Math.max(1, lat.micros().length), pct(d, 50) / 1e3, pct(d, 99) / 1e3, d[d.length - 1] / 1e3));
    }
    long x1 = xactCommits();
    var threads1 = threadTicks(serverPid);
    double n = Math.max(1, lat.micros().length);
    print(
        name,
        lat.summary()
            + String.format(
                " appends_per_s=%.0f server_cpu_us_per_append=%.0f server_sys_us_per_append=%.0f postgres_cpu_us_per_append=%.0f client_cpu_us_per_append=%.0f client_selector_us_per_append=%.0f xacts_per_append=%.2f p90_ms=%.1f p999_ms=%.1f max_ms=%.1f",
                n / seconds, (cpuTicks(List.of(serverPid)) - server0) * 10_000 / n, (sysTicks(serverPid) - sys0) * 10_000 / n,
                (cpuTicks(pg) - pg0) * 10_000 / n, (clientCpuNanos() - client0) / 1e3 / n, (selectorCpuNanos() - selector0) / 1e3 / n,
                (x1 - x0 - 1) / n, pct(lat.micros(), 90) / 1e3, pct999(lat.micros()) / 1e3,
                lat.micros().length == 0 ? 0 : lat.micros()[lat.micros().length - 1] / 1e3));
    print(name + "_server_threads_ms", top(byThreadGroup(threads0, threads1), 10, "%.0f"));
    return lat;
  }

  private static double pct999(long[] sorted) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.999 * sorted.length) - 1)];
  }

  private void idle(int seconds, int readers, long heap0, long rss0) throws Exception {
    long x0 = xactCommits();
    var t0 = threadTicks(serverPid);
    long j0 = cpuTicks(List.of(serverPid));
    var pg = postgresPids();
    long p0 = cpuTicks(pg);
    long r0 = reconnects.get();
    int maxActive = 0;
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      maxActive = Math.max(maxActive, activeBackends());
      Thread.sleep(1_000);
    }
    long x1 = xactCommits();
    long j1 = cpuTicks(List.of(serverPid));
    var t1 = threadTicks(serverPid);
    long p1 = cpuTicks(postgresPids());
    double tick = 100.0;
    long heap1 = liveHeapBytes();
    long rss1 = rssKib(serverPid);
    // the count queries themselves: one psql per sample, plus the two xact readings
    long own = seconds + 2;
    print(
        "idle",
        String.format(
            "seconds=%d xacts_per_s=%.1f java_core_pct=%.1f postgres_core_pct=%.1f max_busy_backends=%d reconnects=%d",
            seconds,
            (x1 - x0 - own) / (double) seconds,
            100 * (j1 - j0) / tick / seconds,
            100 * (p1 - p0) / tick / seconds,
            maxActive,
            reconnects.get() - r0));
    var byGroup = byThreadGroup(t0, t1);
    long jit = byGroup.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre")).mapToLong(java.util.Map.Entry::getValue).sum();
    print(
        "idle_java_threads_core_pct",
        String.format("without_jit=%.1f ", 100 * (j1 - j0 - jit) / tick / seconds) + top(byGroup, 100 / tick / seconds, "%.1f"));
    print(
        "memory",
        String.format(
            "heap_per_reader_kib=%.1f rss_per_reader_kib=%.1f live_heap_mib=%.0f rss_mib=%.0f",
            (heap1 - heap0) / 1024.0 / readers, (rss1 - rss0) / (double) readers, heap1 / 1048576.0, rss1 / 1024.0));
  }

  private void deliver(String name, long expected, Step step) throws Exception {
    deliveries.clear();
    long serverTicks0 = cpuTicks(List.of(serverPid));
    long serverSys0 = sysTicks(serverPid);
    var threads0 = threadTicks(serverPid);
    long clientCpu0 = clientCpuNanos();
    long selectorCpu0 = selectorCpuNanos();
    long xacts0 = expected > 1_000 ? xactCommits() : 0;
    phaseFrom = nextAppend.get();
    var t0 = java.time.Instant.now(); // for the server's flight recording (scripts/FanoutStages.java)
    var own = step.run();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (deliveries.size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    // the CPU figures cover the phase up to its last delivery (or its 10 s limit)
    long serverCpuMs = (cpuTicks(List.of(serverPid)) - serverTicks0) * 10;
    long serverSysMs = (sysTicks(serverPid) - serverSys0) * 10;
    var threads1 = threadTicks(serverPid);
    long clientCpuMs = (clientCpuNanos() - clientCpu0) / 1_000_000;
    long selectorCpuMs = (selectorCpuNanos() - selectorCpu0) / 1_000_000;
    // the database's transactions over the phase (its appends, the feeds' reads), this reading's own one off
    long xacts = expected > 1_000 ? xactCommits() - xacts0 - 1 : 0;
    Thread.sleep(300); // late (duplicate) deliveries would still be counted
    // arrival: when the client's selector saw the reader's socket readable; the one selector
    // thread then parses 10 000 events in turn, which "parsed" adds (the client's own cost)
    var lat = deliveries.stream().mapToLong(d -> (d[1] - sentAt.get((int) d[0])) / 1_000).sorted().toArray();
    var parsed = deliveries.stream().mapToLong(d -> (d[2] - sentAt.get((int) d[0])) / 1_000).sorted().toArray();
    // the fan-out's own share: from the append's answer (its commit) to the reader; negative when
    // the event came first
    var afterAnswer = deliveries.stream().mapToLong(d -> (d[1] - answeredAt.get((int) d[0])) / 1_000).sorted().toArray();
    phaseFrom = Integer.MAX_VALUE;
    print(
        name,
        String.format(
            "delivered=%d/%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f over_1s=%d after_answer_p50_ms=%.1f after_answer_p99_ms=%.1f parsed_p99_ms=%.1f server_cpu_ms=%d server_sys_ms=%d client_cpu_ms=%d client_selector_cpu_ms=%d %s t0_epoch_us=%d",
            lat.length, expected, pct(lat, 50) / 1e3, pct(lat, 99) / 1e3, lat.length == 0 ? 0 : lat[lat.length - 1] / 1e3,
            Arrays.stream(lat).filter(v -> v > 1_000_000).count(), pct(afterAnswer, 50) / 1e3, pct(afterAnswer, 99) / 1e3,
            pct(parsed, 99) / 1e3, serverCpuMs, serverSysMs, clientCpuMs, selectorCpuMs, own.summary(),
            t0.getEpochSecond() * 1_000_000 + t0.getNano() / 1_000));
    if (expected > 1_000) {
      print(name + "_server_threads_ms", "xacts=" + xacts + " " + top(byThreadGroup(threads0, threads1), 10, "%.0f"));
    }
    Thread.sleep(500);
  }

  @FunctionalInterface
  interface Step {
    Latencies run() throws Exception;
  }

  record Latencies(long[] micros) {
    double p99() {
      return pct(micros, 99) / 1e3;
    }

    String summary() {
      return String.format("appends=%d append_p50_ms=%.1f append_p99_ms=%.1f", micros.length, pct(micros, 50) / 1e3, p99());
    }
  }

  private static double pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  /** 4 appenders, one append in flight each, round-robin over the streams for {@code seconds}. */
  private Latencies appendLoad(int streams, int seconds) throws Exception {
    var all = new ConcurrentLinkedQueue<Long>();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    var done = new CountDownLatch(4);
    for (int w = 0; w < 4; w++) {
      int first = w;
      Thread.ofVirtual().start(() -> {
        try {
          for (int s = first; System.nanoTime() < end; s = (s + 4) % streams) {
            for (long v : append(s).micros()) {
              all.add(v);
            }
          }
        } catch (Exception e) {
          failures.incrementAndGet();
        } finally {
          done.countDown();
        }
      });
    }
    done.await();
    return new Latencies(all.stream().mapToLong(Long::longValue).sorted().toArray());
  }

  private Latencies appendToEvery(int streams) throws Exception {
    var lat = new long[streams];
    var futures = new ArrayList<java.util.concurrent.CompletableFuture<?>>();
    for (int s = 0; s < streams; s++) {
      int i = s;
      futures.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          lat[i] = append(i).micros()[0];
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }, Executors.newVirtualThreadPerTaskExecutor()));
    }
    for (var f : futures) {
      f.join();
    }
    Arrays.sort(lat);
    return new Latencies(lat);
  }

  private Latencies append(int stream) throws Exception {
    int id = nextAppend.getAndIncrement();
    var req =
        HttpRequest.newBuilder(URI.create(base + "/v1/executions/" + enc(executions.get(stream)) + "/attempts/0/stream?frame_type=log"))
            .header("Tributary-Handle", handles.get(stream))
            .POST(HttpRequest.BodyPublishers.ofString("b" + id))
            .build();
    long t = System.nanoTime();
    sentAt.set(id, t);
    var res = http.send(req, HttpResponse.BodyHandlers.ofString());
    // a 503 (no pool connection within --db-timeout) is retried as clients do; counted
    for (int retry = 0; res.statusCode() == 503 && retry < 5; retry++) {
      appendRetries.incrementAndGet();
      Thread.sleep(100);
      res = http.send(req, HttpResponse.BodyHandlers.ofString());
    }
    long answered = System.nanoTime();
    answeredAt.set(id, answered);
    long took = (answered - t) / 1_000;
    if (res.statusCode() / 100 != 2) {
      throw new IOException("append answered " + res.statusCode() + ": " + res.body());
    }
    return new Latencies(new long[] {took});
  }

  private void startAttempt() throws Exception {
    var mint = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/executions")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    var id = field(mint.body(), "execution_id");
    var start =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/executions/" + enc(id) + "/attempts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"lease_ttl_ms\":3600000}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    executions.add(id);
    handles.add(field(start.body(), "handle"));
  }

  private static String field(String json, String name) {
    var m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ the server's costs

  /** The server's live readers now (its metric), -1 when it has none such. */
  private long liveReaders() throws Exception {
    var body = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    var m = Pattern.compile("(?m)^tributary_live_readers\\S* (\\S+)").matcher(body);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  private long xactCommits() throws Exception {
    if (pgPort == 0) {
      return 0; // the calibration server has no database
    }
    return Long.parseLong(psql("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"));
  }

  /** Backends of the server's database running a statement or inside a transaction now (not this one). */
  private int activeBackends() throws Exception {
    if (pgPort == 0) {
      return 0;
    }
    return Integer.parseInt(
        psql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            + " AND state IS NOT NULL AND state <> 'idle' AND application_name <> 'tributary-listener'"));
  }

  private String psql(String sql) throws Exception {
    var p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", Integer.toString(pgPort), "-U", "postgres", "-d", "tributary", "-Atc", sql)
        .redirectErrorStream(true).start();
    var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return out;
  }

  private List<Long> postgresPids() throws IOException {
    var pids = new ArrayList<Long>();
    if (pgPid == 0) {
      return pids;
    }
    pids.add(pgPid);
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (var d : (Iterable<Path>) dirs::iterator) {
        var name = d.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          var stat = Files.readString(d.resolve("stat"));
          var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(f[1]) == pgPid) {
            pids.add(Long.parseLong(name));
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended meanwhile
        }
      }
    }
    return pids;
  }

  /** utime + stime of the processes, in clock ticks. */
  private static long cpuTicks(List<Long> pids) {
    long sum = 0;
    for (long pid : pids) {
      try {
        var stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException gone) {
        // ended: its ticks are lost either way
      }
    }
    return sum;
  }

  /** stime of a process (the kernel's share: for loopback TCP, much of both ends' network stack). */
  private static long sysTicks(long pid) throws IOException {
    var stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[12]);
  }

  /** CPU time of the client's selector thread (all readers' receiving) so far. */
  private long selectorCpuNanos() {
    return selectorThread == null ? 0 : java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(selectorThread.threadId());
  }

  /** CPU time of this (the client's) process so far. */
  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU ticks per thread group (names with digits folded) between two snapshots. */
  private static java.util.Map<String, Long> byThreadGroup(
      java.util.Map<String, java.util.Map.Entry<String, Long>> t0, java.util.Map<String, java.util.Map.Entry<String, Long>> t1) {
    var byGroup = new java.util.TreeMap<String, Long>();
    t1.forEach((tid, v) -> byGroup.merge(v.getKey(), v.getValue() - t0.getOrDefault(tid, java.util.Map.entry("", 0L)).getValue(), Long::sum));
    return byGroup;
  }

  /** The busiest thread groups, each as name=ticks*scale. */
  private static String top(java.util.Map<String, Long> byGroup, double scale, String format) {
    var top = new StringBuilder();
    byGroup.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(8)
        .forEach(e -> top.append(String.format(" %s=" + format, e.getKey().replace(' ', '_'), e.getValue() * scale)));
    return top.toString().trim();
  }

  /** utime + stime per thread of a process (thread id -> name with digits folded, ticks). */
  private static java.util.Map<String, java.util.Map.Entry<String, Long>> threadTicks(long pid) throws IOException {
    var out = new java.util.HashMap<String, java.util.Map.Entry<String, Long>>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (var t : (Iterable<Path>) tasks::iterator) {
        try {
          var stat = Files.readString(t.resolve("stat"));
          var name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
          var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(t.getFileName().toString(), java.util.Map.entry(name, Long.parseLong(f[11]) + Long.parseLong(f[12])));
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    }
    return out;
  }

  private static long rssKib(long pid) throws IOException {
    for (var line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return 0;
  }

  /** The server's heap in use right after a full GC (jcmd). */
  private long liveHeapBytes() throws Exception {
    var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    new ProcessBuilder(jcmd, Long.toString(serverPid), "GC.run").redirectErrorStream(true).start().waitFor();
    var p = new ProcessBuilder(jcmd, Long.toString(serverPid), "GC.heap_info").redirectErrorStream(true).start();
    var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    var m = Pattern.compile("used (\\d+)K").matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : 0;
  }

  private static void print(String phase, String text) {
    System.out.println(phase + " " + text);
  }

  // ------------------------------------------------------------------ SSE readers

  /** One SSE reader: a connection, what it has read since its last event boundary, its offset. */
  final class Reader {
    final int stream;
    SocketChannel channel;
    ByteBuffer pending;
    final StringBuilder text = new StringBuilder();
    String offset = "now";
    boolean counted;
    boolean connecting;
    boolean closing;

    Reader(int stream) {
      this.stream = stream;
    }

    void open() throws IOException {
      connecting = true;
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.connect(new InetSocketAddress(host, port));
      channel.register(selector, SelectionKey.OP_CONNECT, this);
    }

    void request(SelectionKey key) {
      var path = "/v1/stream/executions/" + enc(executions.get(stream)) + "/attempts/0?offset=" + offset + "&live=sse";
      pending = ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      key.interestOps(SelectionKey.OP_WRITE);
    }

    /** @param readyAt when select() reported this reader's socket readable (the bytes were there) */
    void received(String chunk, SelectionKey key, long readyAt) {
      long now = System.nanoTime();
      text.append(chunk);
      boolean status = startsWith(text, "HTTP/1.1 ");
      if (status && text.indexOf("\r\n\r\n") > 0) {
        var head = text.substring(0, text.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        closing = head.contains("\r\nconnection: close");
      }
      if (text.length() >= 12 && status && !startsWith(text, "HTTP/1.1 200")) {
        if (failures.incrementAndGet() <= 3) {
          int body = text.indexOf("{");
          System.err.println("reader refused: " + text.substring(0, 12) + (body < 0 ? "" : " " + text.substring(body)));
        }
        close(key);
        return;
      }
      int boundary = text.lastIndexOf("\n\n");
      if (boundary < 0) {
        return;
      }
      // plain scans, no regex: this runs once per event for every reader on one thread
      var events = text.substring(0, boundary);
      for (int at = events.indexOf(PAYLOAD_MARK); at >= 0; at = events.indexOf(PAYLOAD_MARK, at + 1)) {
        int id = digits(events, at + PAYLOAD_MARK.length());
        if (id >= phaseFrom) {
          deliveries.add(new long[] {id, readyAt, now});
        }
      }
      int o = events.lastIndexOf(OFFSET_MARK);
      if (o >= 0) {
        int from = o + OFFSET_MARK.length();
        offset = events.substring(from, events.indexOf('"', from));
      }
      if (connecting && events.contains("upToDate")) {
        connecting = false;
        opening--;
      }
      if (!counted && events.contains("upToDate")) {
        counted = true;
        upToDate.incrementAndGet();
        connected.incrementAndGet(stream);
      }
      var rest = text.substring(boundary + 2);
      text.setLength(0);
      text.append(rest);
      if (rest.contains("\r\n0\r\n\r\n") || rest.startsWith("0\r\n\r\n")) {
        // the server ended this response (its SSE lifetime): resume from the last offset, on this
        // connection unless the server closes it (then on a new one, when the close arrives)
        text.setLength(0);
        if (!closing) {
          reconnects.incrementAndGet();
          request(key);
        }
      }
    }

    void close(SelectionKey key) {
      if (connecting) {
        connecting = false;
        opening--;
      }
      key.cancel();
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private static boolean startsWith(CharSequence s, String prefix) {
    if (s.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (s.charAt(i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The decimal number at {@code from} in {@code s}. */
  private static int digits(String s, int from) {
    int v = 0;
    for (int i = from; i < s.length() && Character.isDigit(s.charAt(i)); i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }

  private void selectLoop() {
    var buffer = ByteBuffer.allocateDirect(64 * 1024);
    var bytes = new byte[64 * 1024];
    // when the current select() returned (0: not yet): the moment its sockets were readable
    long[] readyAt = new long[1];
    while (!Thread.currentThread().isInterrupted()) {
      try {
        // a bounded number of connects in flight: the server's accept backlog is the JDK's 50
        for (Reader r; opening < MAX_OPENING && (r = toOpen.poll()) != null; ) {
          opening++;
          r.open();
        }
        readyAt[0] = 0;
        // select(action), not selectedKeys(): after a burst that set's table stays large, and
        // iterating it cost every later select() a scan of thousands of empty buckets
        selector.select(
            key -> {
              if (readyAt[0] == 0) {
                readyAt[0] = System.nanoTime();
              }
              ready(key, buffer, bytes, readyAt[0]);
            },
            100);
      } catch (IOException e) {
        failures.incrementAndGet();
      }
    }
  }

  private void ready(SelectionKey key, ByteBuffer buffer, byte[] bytes, long readyAt) {
    var r = (Reader) key.attachment();
    try {
      if (key.isConnectable()) {
        if (r.channel.finishConnect()) {
          r.request(key);
        }
      } else if (key.isWritable()) {
        r.channel.write(r.pending);
        if (!r.pending.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ);
        }
      } else if (key.isReadable()) {
        buffer.clear();
        int n = r.channel.read(buffer);
        if (n < 0) {
          // the server closed the connection: open a new one from the last offset
          r.close(key);
          reconnects.incrementAndGet();
          r.text.setLength(0);
          toOpen.add(r);
          return;
        }
        buffer.flip();
        buffer.get(bytes, 0, n);
        r.received(new String(bytes, 0, n, StandardCharsets.ISO_8859_1), key, readyAt);
      }
    } catch (IOException e) {
      if (failures.incrementAndGet() <= 3) {
        System.err.println("reader failed: " + e);
      }
      r.close(key);
    }
  }
}
