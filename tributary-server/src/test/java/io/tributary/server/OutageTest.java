package io.tributary.server;

import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testing.RestartablePostgres;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real server on a PostgreSQL of its own that the test stops and starts: requests fail fast
 * with 503 while it is away, parked readers get the next frame once it is back, health tells the
 * truth, and nothing acknowledged is lost.
 *
 * <p>Bounds are asserted with slack, never as lower bounds. The measured figures are printed
 * (lines starting with {@code outage:}) for docs/operating.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OutageTest {
  /** The server's --db-timeout (the default). */
  static final long DB_TIMEOUT_MS = ServerConfig.DEFAULT_DB_TIMEOUT.toMillis();
  /** Scheduling slack on a 2-core machine shared by several builds. */
  static final long SLACK_MS = 1_500;
  static final long FAIL_BOUND_MS = DB_TIMEOUT_MS + SLACK_MS;
  static final long HEALTH_ANSWER_MS = 2_000;
  static final long HEALTH_DOWN_MS = 2_000;
  static final long RECOVERY_MS = 5_000;
  static final long OUTAGE_MS = 10_000;

  private static final JsonMapper MAPPER = JsonMapper.shared();

  private RestartablePostgres pg;
  private TributaryServer server;
  private final AtomicInteger streams = new AtomicInteger();
  /** Blocking HTTP calls run here; the common pool has one thread on this machine. */
  private final ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeAll
  void start() {
    pg = RestartablePostgres.startFresh();
    var url = pg.createDatabase("outage");
    server =
        TestServers.start(url, b -> b.poolSize(4).longPollTimeout(Duration.ofSeconds(30)));
  }

  @AfterAll
  void stop() {
    exec.shutdownNow();
    if (server != null) {
      server.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @BeforeEach
  void databaseUp() throws Exception {
    pg.start();
    awaitReady();
  }

  @Test
  void restartWithParkedReaders() throws Exception {
    var readers = new ParkedReaders();
    readers.park();
    pg.stop();
    long restarting = System.nanoTime();
    pg.start();
    long back = System.nanoTime();
    long firstOk = appendUntilAccepted(readers.writer, "after-restart-probe");
    System.out.printf(
        "outage: restart took %d ms; first append accepted %d ms after PostgreSQL was back%n",
        ms(back - restarting), ms(firstOk - back));
    assertThat(ms(firstOk - back)).isLessThanOrEqualTo(RECOVERY_MS);
    readers.deliverAndCheck();
  }

  @Test
  void tenSecondOutage() throws Exception {
    var readers = new ParkedReaders();
    readers.park();
    var writer = attempt();
    var burst = attempt();
    var health = new HealthPoller();
    var sequential = new Writer(writer, "seq");
    health.start();
    sequential.start();
    Thread.sleep(300);

    // a burst of concurrent appends right as PostgreSQL goes away: some are queued behind a
    // batch that is waiting for a connection the moment the server stops
    long stopping = System.nanoTime();
    var burstResults = new ArrayList<CompletableFuture<Outcome>>();
    for (int i = 0; i < 24; i++) {
      String payload = "burst-" + i;
      burstResults.add(CompletableFuture.supplyAsync(() -> appendOutcome(burst, payload), exec));
    }
    pg.stop();
    long down = System.nanoTime();
    System.out.printf("outage: fast shutdown took %d ms%n", ms(down - stopping));

    Thread.sleep(2_500);
    var during = requestsDuringOutage(readers);
    Thread.sleep(Math.max(0, OUTAGE_MS - ms(System.nanoTime() - down)));

    long starting = System.nanoTime();
    pg.start();
    long back = System.nanoTime();
    long firstOk = appendUntilAccepted(writer, "after-outage-probe");
    long ready = awaitReady();
    readers.deliverAndCheck();
    Thread.sleep(1_000);
    sequential.stop();
    health.stop();
    System.out.printf(
        "outage: start took %d ms; first append accepted %d ms and /readyz UP %d ms after"
            + " PostgreSQL was back%n",
        ms(back - starting), ms(firstOk - back), ms(ready - back));

    // every request that needed the database failed fast with a retryable 503
    for (var o : during) {
      assertThat(o.status()).as(o.toString()).isEqualTo(503);
      assertThat(o.retryAfter()).as(o.toString()).isNotNull();
      assertThat(o.retryable()).as(o.toString()).isTrue();
      assertThat(o.ms()).as(o.toString()).isLessThanOrEqualTo(FAIL_BOUND_MS);
    }
    var burstOutcomes = burstResults.stream().map(CompletableFuture::join).toList();
    var sequentialOutcomes = List.copyOf(sequential.outcomes);
    var appends = new ArrayList<Outcome>(burstOutcomes);
    appends.addAll(sequentialOutcomes);
    long failed = 0;
    long slowest503 = 0;
    for (var o : appends) {
      assertThat(o.status()).as(o.toString()).isIn(200, 503);
      if (o.status() == 503) {
        failed++;
        slowest503 = Math.max(slowest503, o.ms());
        assertThat(o.retryAfter()).as(o.toString()).isNotNull();
        assertThat(o.retryable()).as(o.toString()).isTrue();
        assertThat(o.ms()).as(o.toString()).isLessThanOrEqualTo(FAIL_BOUND_MS);
      }
    }
    long slowestOther = during.stream().mapToLong(Outcome::ms).max().orElse(0);
    System.out.printf(
        "outage: %d of %d appends answered 503, slowest after %d ms; other requests' 503 at most"
            + " %d ms%n",
        failed, appends.size(), slowest503, slowestOther);
    assertThat(failed).as("appends failed during the outage").isPositive();

    // nothing acknowledged is lost; nothing answered "not stored" was stored
    assertStored(burst, burstOutcomes);
    assertStored(writer, sequentialOutcomes);

    health.check(down, starting, back);
  }

  @Test
  void appendsQueuedBehindAStuckBatchFailInTime() throws Exception {
    var a = attempt();
    String eid = a.get("execution_id").asString();
    var uuid = java.util.UUID.fromString(eid.substring(eid.indexOf("}:") + 2));
    try (var lock = DriverManager.getConnection(pg.jdbcUrl("outage"))) {
      lock.setAutoCommit(false);
      try (var ps =
          lock.prepareStatement(
              "SELECT id FROM tb_stream WHERE execution_id = ? AND attempt_index = 0 FOR UPDATE")) {
        ps.setObject(1, uuid);
        try (var rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
      // this append's batch is sent and waits on the row lock: the committer is stuck
      var stuck = CompletableFuture.supplyAsync(() -> appendOutcome(a, "stuck"), exec);
      Thread.sleep(500);
      var queued = new ArrayList<CompletableFuture<Outcome>>();
      for (int i = 0; i < 6; i++) {
        String payload = "queued-" + i;
        queued.add(CompletableFuture.supplyAsync(() -> appendOutcome(a, payload), exec));
      }
      var queuedOutcomes = queued.stream().map(CompletableFuture::join).toList();
      long slowest = 0;
      for (var o : queuedOutcomes) {
        assertThat(o.status()).as(o.toString()).isEqualTo(503);
        assertThat(o.retryable()).as(o.toString()).isTrue();
        assertThat(o.retryAfter()).as(o.toString()).isNotNull();
        assertThat(o.ms()).as(o.toString()).isLessThanOrEqualTo(FAIL_BOUND_MS);
        slowest = Math.max(slowest, o.ms());
      }
      System.out.printf("outage: appends queued behind a stuck batch: 503 after at most %d ms%n", slowest);
      assertThat(stuck).as("a sent append waits for its real outcome").isNotDone();
      lock.rollback();
      var sent = stuck.get(10, TimeUnit.SECONDS);
      assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
      var all = new ArrayList<>(queuedOutcomes);
      all.add(sent);
      assertStored(a, all);
    }
  }

  // ------------------------------------------------------------------ the scenarios' parts

  /** Requests of every kind that need the database, sent while it is down. */
  private List<Outcome> requestsDuringOutage(ParkedReaders readers) throws Exception {
    var out = new ArrayList<Outcome>();
    var a = readers.attemptA;
    String path = attemptPath(a.get("execution_id").asString(), 0);
    String dsAttempt = dsAttemptPath(a);
    String named = readers.named;
    out.add(timed("REST append", () -> appendOutcome(a, "during-outage")));
    out.add(timed("REST read", () -> get(path + "/stream")));
    out.add(timed("REST tail", () -> get(path + "/stream/tail?after=0-0&block_ms=5000")));
    out.add(timed("REST summary", () -> get(path + "/summary")));
    String fresh = "{fp:1}:" + java.util.UUID.randomUUID();
    out.add(
        timed(
            "REST start attempt",
            () ->
                exchange(
                    request(server, "/v1/executions/" + enc(fresh) + "/attempts")
                        .POST(HttpRequest.BodyPublishers.noBody()))));
    out.add(timed("DS attempt catch-up", () -> get(dsAttempt + "?offset=-1")));
    out.add(timed("DS attempt long-poll", () -> get(dsAttempt + "?offset=now&live=long-poll")));
    out.add(timed("DS attempt SSE", () -> get(dsAttempt + "?offset=now&live=sse")));
    out.add(timed("DS named append", () -> dsAppend(named, "\"during-outage\"")));
    out.add(timed("DS named catch-up", () -> get(named + "?offset=-1")));
    out.add(timed("DS named long-poll", () -> get(named + "?offset=now&live=long-poll")));
    out.add(timed("DS named SSE", () -> get(named + "?offset=now&live=sse")));
    out.add(
        timed(
            "DS create",
            () ->
                exchange(
                    request(server, "/v1/stream/outage-new-" + streams.incrementAndGet())
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.noBody()))));
    return out;
  }

  /** Checks that acknowledged appends are stored once and "not stored" ones are absent. */
  private void assertStored(JsonNode attempt, List<Outcome> outcomes) throws Exception {
    var stored = readAll(attempt);
    assertThat(new HashSet<>(stored)).as("no duplicates").hasSameSizeAs(stored);
    int unknown = 0;
    for (var o : outcomes) {
      if (o.status() == 200) {
        assertThat(stored).as("acknowledged " + o.label()).contains(o.label());
      } else if (o.body().contains("may or may not have been stored")) {
        unknown++; // the connection broke under the statement: either is honest
      } else {
        assertThat(stored).as("503 means not stored: " + o).doesNotContain(o.label());
      }
    }
    System.out.printf("outage: %d appends with an unknown outcome%n", unknown);
  }

  private List<String> readAll(JsonNode attempt) throws Exception {
    var r = get(attemptPath(attempt.get("execution_id").asString(), 0) + "/stream?limit=1000");
    assertThat(r.status()).isEqualTo(200);
    var payloads = new ArrayList<String>();
    for (var f : MAPPER.readTree(r.body()).get("frames")) {
      payloads.add(f.get("fields").get("payload").asString());
    }
    return payloads;
  }

  /** Appends until one is accepted; returns when (nanoTime). Fails after the recovery bound. */
  private long appendUntilAccepted(JsonNode attempt, String payload) throws Exception {
    long started = System.nanoTime();
    int n = 0;
    while (true) {
      var o = appendOutcome(attempt, payload + "-" + n++);
      if (o.status() == 200) {
        return System.nanoTime();
      }
      if (ms(System.nanoTime() - started) > RECOVERY_MS + SLACK_MS) {
        throw new AssertionError("appends still fail after recovery: " + o);
      }
      Thread.sleep(50);
    }
  }

  /** Waits (bounded) until /readyz answers 200; returns when (nanoTime). */
  private long awaitReady() throws Exception {
    long started = System.nanoTime();
    while (true) {
      var r = get("/readyz");
      if (r.status() == 200) {
        return System.nanoTime();
      }
      if (ms(System.nanoTime() - started) > 30_000) {
        throw new AssertionError("never ready: " + r);
      }
      Thread.sleep(50);
    }
  }

  /** Readers parked on both kinds of streams through every read API, before the outage. */
  private final class ParkedReaders {
    final JsonNode attemptA;
    final JsonNode attemptB;
    final JsonNode writer;
    final String named;
    final List<CompletableFuture<Outcome>> single = new ArrayList<>();
    final List<SseReader> sse = new ArrayList<>();

    ParkedReaders() throws Exception {
      attemptA = attempt();
      attemptB = attempt();
      writer = attempt();
      named = "/v1/stream/outage-" + streams.incrementAndGet();
      var created =
          exchange(
              request(server, named)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.noBody()));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      // one frame each, so readers wait after something
      assertThat(appendOutcome(attemptA, "before").status()).isEqualTo(200);
      assertThat(appendOutcome(attemptB, "before").status()).isEqualTo(200);
      assertThat(dsAppend(named, "\"before\"").status()).isEqualTo(204);
    }

    void park() throws Exception {
      for (var a : List.of(attemptA, attemptB)) {
        String path = attemptPath(a.get("execution_id").asString(), 0);
        String after = lastId(a);
        for (int i = 0; i < 3; i++) {
          single.add(
              CompletableFuture.supplyAsync(
                  () -> get(path + "/stream/tail?after=" + after + "&block_ms=30000"), exec));
          single.add(
              CompletableFuture.supplyAsync(
                  () -> get(dsAttemptPath(a) + "?offset=now&live=long-poll"), exec));
        }
        for (int i = 0; i < 2; i++) {
          sse.add(new SseReader(dsAttemptPath(a) + "?offset=now&live=sse", true));
        }
      }
      for (int i = 0; i < 3; i++) {
        single.add(
            CompletableFuture.supplyAsync(() -> get(named + "?offset=now&live=long-poll"), exec));
      }
      for (int i = 0; i < 2; i++) {
        sse.add(new SseReader(named + "?offset=now&live=sse", false));
      }
      for (var s : sse) {
        s.awaitConnected();
      }
      Thread.sleep(1_000); // the long-polls and tails have parked
      for (var f : single) {
        assertThat(f).as("a parked reader answered before anything was appended").isNotDone();
      }
    }

    /** Appends the next frame everywhere; every reader gets it, exactly once. */
    void deliverAndCheck() throws Exception {
      assertThat(appendOutcome(attemptA, "next").status()).isEqualTo(200);
      assertThat(appendOutcome(attemptB, "next").status()).isEqualTo(200);
      assertThat(dsAppend(named, "\"next\"").status()).isEqualTo(204);
      for (var f : single) {
        var r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(payloadsOf(r.body())).as(r.toString()).containsExactly("next");
      }
      assertThat(appendOutcome(attemptA, "then").status()).isEqualTo(200);
      assertThat(appendOutcome(attemptB, "then").status()).isEqualTo(200);
      assertThat(dsAppend(named, "\"then\"").status()).isEqualTo(204);
      for (var s : sse) {
        assertThat(s.awaitPayloads(2)).as(s.url).containsExactly("next", "then");
        s.close();
      }
    }
  }

  /** The payloads of a REST tail answer, or of a Durable Streams JSON body. */
  private static List<String> payloadsOf(String body) {
    var node = MAPPER.readTree(body);
    var out = new ArrayList<String>();
    var items = node.isArray() ? node : node.get("frames");
    for (var n : items) {
      if (n.isString()) {
        out.add(n.asString());
      } else if (n.has("fields")) {
        out.add(n.get("fields").get("payload").asString());
      } else {
        out.add(n.get("payload").asString());
      }
    }
    return out;
  }

  /** One SSE connection read on a thread of its own; collects the payloads of data events. */
  private final class SseReader {
    final String url;
    final List<String> payloads = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    final CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response;
    volatile java.util.stream.Stream<String> lines;

    SseReader(String url, boolean attemptStream) {
      this.url = url;
      response =
          TestServers.CLIENT.sendAsync(
              HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + url)).GET().build(),
              HttpResponse.BodyHandlers.ofLines());
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  var r = response.get(10, TimeUnit.SECONDS);
                  if (r.statusCode() != 200) {
                    connected.completeExceptionally(new AssertionError("SSE " + r.statusCode()));
                    return;
                  }
                  lines = r.body();
                  boolean inData = false;
                  var data = new StringBuilder();
                  for (var it = lines.iterator(); it.hasNext(); ) {
                    var line = it.next();
                    if (line.startsWith("event: control")) {
                      connected.complete(null);
                    } else if (line.equals("event: data")) {
                      inData = true;
                      data.setLength(0);
                    } else if (inData && line.startsWith("data:")) {
                      data.append(line.substring(5));
                    } else if (inData && line.isEmpty()) {
                      inData = false;
                      payloads.addAll(payloadsOf(data.toString()));
                    }
                  }
                } catch (Exception e) {
                  connected.completeExceptionally(e);
                }
              });
    }

    void awaitConnected() throws Exception {
      connected.get(10, TimeUnit.SECONDS);
    }

    List<String> awaitPayloads(int n) throws Exception {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (payloads.size() < n && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      Thread.sleep(300); // a duplicate would arrive right behind
      return List.copyOf(payloads);
    }

    void close() {
      var l = lines;
      if (l != null) {
        l.close();
      }
    }
  }

  /** Polls /health, /readyz and /livez every 100 ms and keeps every answer. */
  private final class HealthPoller {
    record Poll(String path, long startedAt, long endedAt, int status) {}

    final ConcurrentLinkedQueue<Poll> polls = new ConcurrentLinkedQueue<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();

    void start() {
      for (var path : List.of("/health", "/readyz", "/livez")) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (running.get()) {
                        long t0 = System.nanoTime();
                        int status;
                        try {
                          status = send(request(server, path).timeout(Duration.ofSeconds(10)).build()).statusCode();
                        } catch (Exception e) {
                          status = -1;
                        }
                        polls.add(new Poll(path, t0, System.nanoTime(), status));
                        try {
                          Thread.sleep(100);
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    }));
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (var t : threads) {
        t.join(15_000);
      }
    }

    void check(long down, long starting, long back) {
      long slowest = 0;
      for (var p : polls) {
        slowest = Math.max(slowest, ms(p.endedAt() - p.startedAt()));
        assertThat(ms(p.endedAt() - p.startedAt())).as(p.toString()).isLessThanOrEqualTo(HEALTH_ANSWER_MS);
        if (p.path().equals("/livez")) {
          assertThat(p.status()).as(p.toString()).isEqualTo(200);
        }
      }
      for (var path : List.of("/health", "/readyz")) {
        var mine = polls.stream().filter(p -> p.path().equals(path)).toList();
        long firstDown =
            mine.stream()
                .filter(p -> p.startedAt() >= down && p.status() == 503)
                .mapToLong(Poll::endedAt)
                .min()
                .orElseThrow(() -> new AssertionError(path + " never reported DOWN"));
        assertThat(ms(firstDown - down)).as(path + " DOWN after the stop").isLessThanOrEqualTo(HEALTH_DOWN_MS);
        for (var p : mine) {
          if (p.startedAt() >= firstDown && p.endedAt() < starting) {
            assertThat(p.status()).as(path + " during the outage: " + p).isEqualTo(503);
          }
        }
        long firstUp =
            mine.stream()
                .filter(p -> p.startedAt() >= back && p.status() == 200)
                .mapToLong(Poll::endedAt)
                .min()
                .orElseThrow(() -> new AssertionError(path + " never UP again"));
        assertThat(ms(firstUp - back)).as(path + " UP after recovery").isLessThanOrEqualTo(RECOVERY_MS);
        System.out.printf(
            "outage: %s DOWN %d ms after the stop, UP %d ms after PostgreSQL was back%n",
            path, ms(firstDown - down), ms(firstUp - back));
      }
      System.out.printf("outage: slowest health answer %d ms of %d polls%n", slowest, polls.size());
    }
  }

  /** Appends one after another on one stream, keeping every outcome. */
  private final class Writer {
    final JsonNode attempt;
    final String prefix;
    final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    Thread thread;

    Writer(JsonNode attempt, String prefix) {
      this.attempt = attempt;
      this.prefix = prefix;
    }

    void start() {
      thread =
          Thread.ofVirtual()
              .start(
                  () -> {
                    int n = 0;
                    while (running.get()) {
                      outcomes.add(appendOutcome(attempt, prefix + "-" + n++));
                      try {
                        Thread.sleep(20);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(15_000);
    }
  }

  // ------------------------------------------------------------------ HTTP

  /** What one request got, and how long it took. */
  record Outcome(String label, int status, String body, String retryAfter, long ms) {
    boolean retryable() {
      var node = MAPPER.readTree(body);
      var flag = node.has("retryable") ? node.get("retryable") : node.path("error").get("retryable");
      return flag != null && flag.asBoolean();
    }

    Outcome labelled(String l, long took) {
      return new Outcome(l, status, body, retryAfter, took);
    }
  }

  private static Outcome timed(String label, Supplier<Outcome> call) {
    long t0 = System.nanoTime();
    var o = call.get();
    return o.labelled(label, ms(System.nanoTime() - t0));
  }

  private Outcome appendOutcome(JsonNode attempt, String payload) {
    long t0 = System.nanoTime();
    try {
      var r = TestServers.append(server, attempt, "frame_type=log", payload.getBytes(StandardCharsets.UTF_8));
      return of(payload, r, t0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Outcome dsAppend(String path, String json) {
    return exchange(
        request(server, path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private Outcome get(String path) {
    return exchange(request(server, path).GET());
  }

  private Outcome exchange(HttpRequest.Builder b) {
    long t0 = System.nanoTime();
    try {
      var r = send(b.build());
      return of(r.uri().getPath(), r, t0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Outcome of(String label, HttpResponse<String> r, long t0) {
    return new Outcome(
        label, r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null), ms(System.nanoTime() - t0));
  }

  private JsonNode attempt() throws Exception {
    return TestServers.startAttempt(server);
  }

  private String lastId(JsonNode attempt) {
    var r = get(attemptPath(attempt.get("execution_id").asString(), 0) + "/stream?from=start&to=end&limit=1000");
    var frames = MAPPER.readTree(r.body()).get("frames");
    return frames.get(frames.size() - 1).get("id").asString();
  }

  private static String dsAttemptPath(JsonNode attempt) {
    return "/v1/stream/executions/" + enc(attempt.get("execution_id").asString()) + "/attempts/0";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
