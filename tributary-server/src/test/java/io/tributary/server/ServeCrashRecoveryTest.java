package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.tributary.cli.ClusterTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code serve} with its embedded PostgreSQL, killed with {@code kill -9} while 8 writers append
 * through HTTP, then started again on the same data directory: it starts within seconds, every
 * acknowledged append is there exactly once, in order, with its id, and the writers go on with
 * the handles they had (their leases survived). Three crashes: the server alone (its watchdog
 * stops PostgreSQL), the server and the watchdog (PostgreSQL is left running as an orphan, which
 * the next start must stop), and the server with the whole PostgreSQL process tree (PostgreSQL
 * runs crash recovery on the next start).
 */
class ServeCrashRecoveryTest {
  private static final int WRITERS = 8;
  /** Acknowledged appends each writer has before the crash, and makes after the restart. */
  private static final int APPENDS_PER_PHASE = 25;
  /** "Within seconds", with slack for a JVM start on a shared 2-core machine. */
  private static final Duration RESTART_BOUND = Duration.ofSeconds(20);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path dir;
  private final List<ServeProcess> servers = new ArrayList<>();

  /** Postmasters a failed test might leave behind (a handle never signals a reused PID). */
  private final List<ProcessHandle> postmasters = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(ServeProcess::stop);
    postmasters.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private enum Crash { SERVER, SERVER_AND_WATCHDOG, SERVER_AND_POSTGRES }

  @Test
  void afterKillOfTheServerTheWatchdogStopsPostgresAndTheRestartKeepsEverything() throws Exception {
    crashMidLoadAndRestart(Crash.SERVER);
  }

  @Test
  void afterKillOfTheServerAndItsWatchdogTheRestartStopsTheOrphanedPostgres() throws Exception {
    crashMidLoadAndRestart(Crash.SERVER_AND_WATCHDOG);
  }

  @Test
  void afterKillOfTheServerAndThePostgresTreeTheRestartRecoversTheDatabase() throws Exception {
    crashMidLoadAndRestart(Crash.SERVER_AND_POSTGRES);
  }

  @Test
  void servesEmbeddedPostgresWithDurableSettingsAndStopsItOnSigterm() throws Exception {
    Path data = ClusterTemplate.copyTo(dir.resolve("pg"));
    var server = launch("settings", data);
    long postmaster = postmasterPid(data);
    int port = Integer.parseInt(Files.readAllLines(data.resolve("postmaster.pid")).get(3).strip());
    try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/tributary", "postgres", null);
        var rs = c.createStatement().executeQuery(
            "SELECT name, setting, source FROM pg_settings WHERE name IN"
                + " ('fsync', 'full_page_writes', 'synchronous_commit', 'data_checksums', 'listen_addresses')")) {
      Map<String, String> settings = new LinkedHashMap<>();
      while (rs.next()) {
        settings.put(rs.getString(1), rs.getString(2) + " (" + rs.getString(3) + ")");
      }
      assertThat(settings).containsOnly(
          Map.entry("fsync", "on (command line)"),
          Map.entry("full_page_writes", "on (command line)"),
          Map.entry("synchronous_commit", "on (command line)"),
          Map.entry("data_checksums", "on (default)"),
          Map.entry("listen_addresses", "127.0.0.1 (command line)"));
    }
    server.stop();
    assertThat(ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive)).as("PostgreSQL stopped with the server").isEmpty();
    assertThat(data.resolve("postmaster.pid")).doesNotExist();
  }

  @Test
  void anImpossibleStartFailsFastWithPostgresReason() throws Exception {
    Path data = ClusterTemplate.copyTo(dir.resolve("pg"));
    var foreign = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(data.resolve("postmaster.pid"), foreign.pid() + "\n" + data.toRealPath() + "\n");
      var second = ServeProcess.launch("second", List.of("--data-dir", data.toString()));
      servers.add(second);
      // JVM start included; EmbeddedDatabaseTest holds PostgreSQL's part to 5 s on its own
      assertThat(second.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
      assertThat(second.diagnostics())
          .contains("could not start embedded PostgreSQL in " + data.toAbsolutePath())
          .contains("lock file \"postmaster.pid\" already exists")
          .contains("PID " + foreign.pid());
      assertThat(foreign.isAlive()).isTrue();
    } finally {
      foreign.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private void crashMidLoadAndRestart(Crash crash) throws Exception {
    Path data = ClusterTemplate.copyTo(dir.resolve("pg"));
    var first = launch("first", data);
    var base = new AtomicReferenceUrl(first.url());
    List<Writer> writers = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      writers.add(new Writer(i, startAttempt(first.url())));
    }
    var running = writers.stream().map(w -> CompletableFuture.runAsync(() -> w.run(base), Thread.ofVirtual()::start)).toList();

    await().atMost(Duration.ofSeconds(60)).until(() -> writers.stream().allMatch(w -> w.acked.size() >= APPENDS_PER_PHASE));
    long postmaster = postmasterPid(data);
    List<ProcessHandle> postgresTree = new ArrayList<>(ProcessHandle.of(postmaster).orElseThrow().descendants().toList());
    postgresTree.addFirst(ProcessHandle.of(postmaster).orElseThrow());
    postmasters.addAll(postgresTree);
    var serverHandle = ProcessHandle.of(first.pid()).orElseThrow();
    List<ProcessHandle> watchdogs = serverHandle.children()
        .filter(p -> p.pid() != postmaster && p.info().command().orElse("").endsWith("sh"))
        .toList();
    assertThat(watchdogs).as("the server's watchdog").hasSize(1);

    switch (crash) {
      case SERVER -> first.kill9();
      case SERVER_AND_WATCHDOG -> {
        watchdogs.forEach(ProcessHandle::destroyForcibly);
        first.kill9();
      }
      case SERVER_AND_POSTGRES -> {
        postgresTree.forEach(ProcessHandle::destroyForcibly);
        first.kill9();
      }
    }
    base.down();
    if (crash == Crash.SERVER) {
      await("the watchdog stops PostgreSQL when its server dies").atMost(Duration.ofSeconds(15))
          .until(() -> ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive).isEmpty());
    } else if (crash == Crash.SERVER_AND_WATCHDOG) {
      assertThat(ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive)).as("an orphan is left").isPresent();
    }

    long restarting = System.nanoTime();
    var second = launch("second", data);
    Duration restart = Duration.ofNanos(System.nanoTime() - restarting);
    assertThat(restart).as(second.diagnostics()).isLessThan(RESTART_BOUND);
    // gone, or a zombie for the moment PID 1 takes to reap it
    await("the old postmaster is gone").atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive).isEmpty());
    for (var w : writers) {
      w.target.set(w.acked.size() + APPENDS_PER_PHASE);
    }
    base.up(second.url());
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

    for (var w : writers) {
      assertThat(w.failuresAfterRestart).as("writer %d: its handle still works after the restart", w.index).isEmpty();
      assertStoredExactlyOnceInOrder(second.url(), w);
    }
  }

  private static void assertStoredExactlyOnceInOrder(String url, Writer w) throws Exception {
    var read = CLIENT.send(
        HttpRequest.newBuilder(URI.create(url + w.path() + "/stream?from=start&to=end&limit=1000")).GET().build(),
        BodyHandlers.ofString());
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    JsonNode frames = JsonMapper.shared().readTree(read.body()).get("frames");
    List<Integer> stored = new ArrayList<>();
    Map<Integer, String> storedIds = new LinkedHashMap<>();
    for (JsonNode f : frames) {
      String payload = f.get("fields").get("payload").asString();
      int seq = Integer.parseInt(payload.substring(payload.indexOf('-') + 1));
      stored.add(seq);
      storedIds.put(seq, f.get("id").asString());
    }
    assertThat(stored).as("writer %d: in order, none twice", w.index).isSorted().doesNotHaveDuplicates();
    assertThat(storedIds).as("writer %d: every acknowledged append with its id", w.index).containsAllEntriesOf(w.acked);
    Set<Integer> unexplained = new java.util.HashSet<>(stored);
    unexplained.removeAll(w.acked.keySet());
    unexplained.removeAll(w.unanswered);
    assertThat(unexplained).as("writer %d: nothing stored that was not sent", w.index).isEmpty();
  }

  private ServeProcess launch(String name, Path data) throws Exception {
    var server = ServeProcess.launch(name, List.of("--data-dir", data.toString(), "--pool-size", "8"));
    servers.add(server);
    server.awaitUrl();
    return server;
  }

  private static long postmasterPid(Path data) throws Exception {
    return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().strip());
  }

  private static JsonNode startAttempt(String url) throws Exception {
    var minted = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/v1/executions")).POST(BodyPublishers.noBody()).build(),
        BodyHandlers.ofString());
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    String id = JsonMapper.shared().readTree(minted.body()).get("execution_id").asString();
    var started = CLIENT.send(
        HttpRequest.newBuilder(URI.create(url + "/v1/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts"))
            .POST(BodyPublishers.ofString("{\"lease_ttl_ms\":300000}"))
            .build(),
        BodyHandlers.ofString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    return JsonMapper.shared().readTree(started.body());
  }

  /** The URL writers send to: unset while the server is down. */
  private static final class AtomicReferenceUrl {
    private volatile CompletableFuture<String> url;

    AtomicReferenceUrl(String first) {
      url = CompletableFuture.completedFuture(first);
    }

    void down() {
      url = new CompletableFuture<>();
    }

    void up(String next) {
      url.complete(next);
    }

    /** The current URL, waiting while the server is down; {@code failed} tells a stale one. */
    String await(String failed) throws Exception {
      while (true) {
        String u = url.get(120, TimeUnit.SECONDS);
        if (!u.equals(failed)) {
          return u;
        }
        Thread.sleep(20);
      }
    }
  }

  /**
   * Appends {@code w<i>-<seq>} one at a time with its handle. An append without an answer (the
   * server died under it) is never resent, so each payload is sent once: it may be stored or not,
   * but must never be stored twice.
   */
  private static final class Writer {
    final int index;
    final JsonNode attempt;
    final Map<Integer, String> acked = new ConcurrentHashMap<>();
    final Set<Integer> unanswered = ConcurrentHashMap.newKeySet();
    final List<String> failuresAfterRestart = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> failuresBeforeCrash = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger target = new AtomicInteger(Integer.MAX_VALUE);

    Writer(int index, JsonNode attempt) {
      this.index = index;
      this.attempt = attempt;
    }

    String path() {
      return "/v1/executions/" + URLEncoder.encode(attempt.get("execution_id").asString(), StandardCharsets.UTF_8)
          + "/attempts/" + attempt.get("attempt_index").asLong();
    }

    /** A dying server may answer 503 or nothing: the append may be stored or not, but only once. */
    private void failed(int seq, boolean restarted, String what) {
      unanswered.add(seq);
      (restarted ? failuresAfterRestart : failuresBeforeCrash).add(what);
    }

    void run(AtomicReferenceUrl base) {
      String failedUrl = null;
      boolean restarted = false;
      try {
        for (int seq = 0; acked.size() < target.get(); seq++) {
          String url = base.await(failedUrl);
          restarted |= failedUrl != null;
          try {
            var response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(url + path() + "/stream?frame_type=log"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Tributary-Handle", attempt.get("handle").asString())
                    .POST(BodyPublishers.ofString("w" + index + "-" + seq))
                    .build(),
                BodyHandlers.ofString());
            if (response.statusCode() == 200) {
              acked.put(seq, JsonMapper.shared().readTree(response.body()).get("id").asString());
              continue;
            }
            failed(seq, restarted, response.statusCode() + " " + response.body());
          } catch (java.io.IOException e) {
            failed(seq, restarted, e.toString());
          }
          failedUrl = url;
        }
      } catch (Exception e) {
        failuresAfterRestart.add("writer stopped: " + e);
      }
    }
  }
}
