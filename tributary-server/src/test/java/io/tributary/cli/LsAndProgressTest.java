package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.client.CloseReason;
import io.tributary.client.NewFrame;
import io.tributary.client.TributaryClient;
import io.tributary.server.ServerConfig;
import io.tributary.server.TributaryServer;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tributary ls} and the progress bar, end to end: a real server with auth on, the command
 * line in its own JVM; for the progress bar on a real pseudo-terminal made by script(1).
 */
class LsAndProgressTest {
  private static final String ADMIN = "ls-admin";
  private static final Map<String, String> AS_ADMIN = Map.of("TRIBUTARY_TOKEN", ADMIN);
  private static final Pattern FIRST_LINE = Pattern.compile("execution (\\{fp:\\d+}:[0-9a-f-]{36}) attempt 0");
  private static TributaryServer server;
  private static TributaryClient client;
  private static String url;
  private static String open;
  private static String succeeded;
  private static String failed;

  @BeforeAll
  static void start() throws Exception {
    server =
        TributaryServer.start(
            ServerConfig.builder(EmbeddedPostgres.createDatabase("cli_ls")).dbUser("postgres").authToken(ADMIN)
                .port(0).poolSize(4).longPollTimeout(Duration.ofSeconds(1)).build());
    url = server.baseUrl();
    client = TributaryClient.builder(url).token(ADMIN).build();
    open = started(null);
    Thread.sleep(2);
    succeeded = started(CloseReason.ATTEMPT_SUCCESS);
    Thread.sleep(2);
    failed = started(CloseReason.ATTEMPT_FAILURE);
    client.namedStream("chat/1").create("text/plain", null);
    client.namedStream("chat/2").create("text/plain", null);
    client.namedStream("other").create("application/json", null);
  }

  private static String started(CloseReason close) {
    String id = client.mintExecution();
    var attempt = client.startAttempt(id, Duration.ofSeconds(60));
    attempt.append(NewFrame.durable("log", "hello"));
    if (close != null) {
      attempt.close(close);
    }
    return id;
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void listsExecutionsNewestFirstAsATable() throws Exception {
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url)) {
      assertThat(ls.exit(60)).as(ls.err()).isZero();
      var all = ls.out().lines().toList();
      assertThat(all.getFirst()).matches("EXECUTION +STATE +ATTEMPT +FRAMES +BYTES +REASON +AGE");
      // the progress test may have added its own execution meanwhile
      var lines = new ArrayList<>(List.of(all.getFirst()));
      lines.addAll(mine(all));
      assertThat(lines).hasSize(4);
      assertThat(lines.get(1)).startsWith(failed).contains("closed", "0/1", "attempt_failure");
      assertThat(lines.get(2)).startsWith(succeeded).contains("closed", "attempt_success");
      assertThat(lines.get(3)).startsWith(open).contains("open", "5 B").doesNotContain("attempt_");
      assertThat(ls.err()).isEmpty();
    }
  }

  @Test
  void filtersAndPrintsNdjson() throws Exception {
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--state", "open", "--output", "json")) {
      assertThat(ls.exit(60)).as(ls.err()).isZero();
      var rows = ls.out().lines().map(l -> JsonMapper.shared().readTree(l)).toList();
      assertThat(rows).singleElement().satisfies(r -> {
        assertThat(r.get("execution_id").asString()).isEqualTo(open);
        assertThat(r.get("state").asString()).isEqualTo("open");
        assertThat(r.get("frame_count").asLong()).isEqualTo(1);
        assertThat(r.get("close_reason").isNull()).isTrue();
      });
    }
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--close-reason", "attempt_failure", "--output", "json")) {
      assertThat(ls.exit(60)).isZero();
      assertThat(ls.out().lines().toList()).singleElement().asString().contains(failed);
    }
  }

  @Test
  void onePageByDefaultEveryPageWithAll() throws Exception {
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--limit", "2", "--output", "json")) {
      assertThat(ls.exit(60)).isZero();
      assertThat(ls.out().lines()).hasSize(2);
      assertThat(ls.err()).contains("more than 2 rows; --all lists every one");
    }
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--limit", "1", "--all")) {
      assertThat(ls.exit(60)).isZero();
      assertThat(mine(ls.out().lines().skip(1).toList()).stream().map(l -> l.split(" ")[0]).toList())
          .containsExactly(failed, succeeded, open);
      assertThat(ls.err()).isEmpty();
    }
  }

  private static List<String> mine(List<String> rows) {
    return rows.stream().filter(l -> l.startsWith(open) || l.startsWith(succeeded) || l.startsWith(failed)).toList();
  }

  @Test
  void listsNamedStreamsByPrefix() throws Exception {
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--streams", "--prefix", "chat/")) {
      assertThat(ls.exit(60)).as(ls.err()).isZero();
      var lines = ls.out().lines().toList();
      assertThat(lines.getFirst()).matches("PATH +STATE +FRAMES +BYTES +CONTENT-TYPE +AGE");
      assertThat(lines.stream().skip(1).map(l -> l.split(" ")[0]))
          .containsExactly("/v1/stream/chat/1", "/v1/stream/chat/2");
    }
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--streams", "--all", "--limit", "1", "--output", "json")) {
      assertThat(ls.exit(60)).isZero();
      assertThat(ls.out().lines().map(l -> JsonMapper.shared().readTree(l).get("path").asString()))
          .containsExactly("/v1/stream/chat/1", "/v1/stream/chat/2", "/v1/stream/other");
    }
  }

  @Test
  void refusalsHaveTheirExitStatus() throws Exception {
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--state", "running")) {
      assertThat(ls.exit(60)).isEqualTo(2);
      assertThat(ls.err()).contains("--state must be open, closed or all");
    }
    try (var ls = Cli.start(AS_ADMIN, "ls", "--server", url, "--close-reason", "nonsense")) {
      assertThat(ls.exit(60)).isEqualTo(1);
      assertThat(ls.err()).contains("unknown close reason 'nonsense'");
    }
    String token = client.mintReadToken(open, 0, Duration.ofMinutes(1));
    try (var ls = Cli.start(Map.of("TRIBUTARY_TOKEN", token), "ls", "--server", url)) {
      assertThat(ls.exit(60)).isEqualTo(4);
      assertThat(ls.err()).contains("listing needs the admin token");
    }
    try (var ls = Cli.start("ls", "--server", url)) {
      assertThat(ls.exit(60)).isEqualTo(4);
    }
  }

  @Test
  void bulkPipeAndReadIntoAFileShowProgressOnATerminalOnly() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) from util-linux makes the terminal");
    var dir = Files.createTempDirectory("tributary-progress");
    var lines = IntStream.rangeClosed(1, 5000).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
    Files.writeString(dir.resolve("in.txt"), lines);

    var pipe = onTerminal(dir, "pipe < in.txt", "pipe", "--server", url);
    var m = FIRST_LINE.matcher(pipe);
    assertThat(m.find()).as(pipe).isTrue();
    String id = m.group(1);
    assertThat(pipe).contains("\r").containsPattern("\r5000 frames  [0-9.]+ KiB  \\d+ frames/s");
    assertThat(client.execution(id).orElseThrow().attempts().getFirst().frameCount()).isEqualTo(5000);

    var read = onTerminal(dir, "read > out.txt", "read", "--server", url, id);
    assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo(lines);
    assertThat(read).contains("\r[").contains("] 100%  5000/5000 frames");

    // the same read with stderr not a terminal: not a byte of progress
    try (var plain = Cli.start(AS_ADMIN, "read", "--server", url, id)) {
      assertThat(plain.exit(60)).isZero();
      assertThat(plain.out()).isEqualTo(lines);
      assertThat(plain.err()).isEmpty();
    }
  }

  /**
   * Runs the command line under script(1), so that stdin, stdout and stderr start out on a
   * pseudo-terminal; {@code redirect} ("pipe < in.txt") then moves some of them to files in
   * {@code dir}. Returns what reached the terminal.
   */
  private static String onTerminal(Path dir, String redirect, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    var command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), "io.tributary.cli.TributaryCli"));
    command.addAll(List.of(args));
    String shell = command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "))
        + " " + redirect.substring(redirect.indexOf(' ') + 1);
    var typescript = dir.resolve("typescript-" + args[0]);
    var builder = new ProcessBuilder("script", "-q", "-e", "-c", shell, typescript.toString())
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(k -> k.startsWith("TRIBUTARY_"));
    builder.environment().put("TRIBUTARY_TOKEN", ADMIN);
    var process = builder.start();
    try {
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("script finished").isTrue();
      String seen = Files.readString(typescript);
      assertThat(process.exitValue()).as(seen).isZero();
      return seen;
    } finally {
      process.destroyForcibly();
    }
  }
}
