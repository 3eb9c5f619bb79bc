package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.client.CloseReason;
import io.tributary.client.NewFrame;
import io.tributary.client.StoredFrame;
import io.tributary.client.TributaryClient;
import io.tributary.server.ServerConfig;
import io.tributary.server.TributaryServer;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client commands end to end: a real server, the command line in its own JVM. */
class ClientCommandsTest {
  private static final Pattern FIRST_LINE = Pattern.compile("^execution (\\{fp:\\d+}:[0-9a-f-]{36}) attempt (\\d+)\n");
  private static TributaryServer server;
  private static TributaryClient client;
  private static String url;

  @BeforeAll
  static void start() {
    server =
        TributaryServer.start(
            ServerConfig.builder(EmbeddedPostgres.createDatabase("cli_client_commands")).dbUser("postgres")
                .port(0).poolSize(4).longPollTimeout(Duration.ofSeconds(1)).build());
    url = server.baseUrl();
    client = TributaryClient.builder(url).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void runRecordsStdoutAndStderrClosesWithFailureAndExitsWithTheCommandsStatus() throws Exception {
    try (var run = Cli.start("run", "--server", url, "--", "sh", "-c", "echo hi; echo err >&2; printf 'no newline'; exit 3")) {
      assertThat(run.exit(60)).isEqualTo(3);
      assertThat(run.out()).isEqualTo("hi\nno newline");
      var m = FIRST_LINE.matcher(run.err());
      assertThat(m.find()).as("first stderr line names the attempt: " + run.err()).isTrue();
      assertThat(run.err().substring(m.end())).isEqualTo("err\n");
      String id = m.group(1);
      var page = client.read(id, 0, "start", "end", 100);
      assertThat(page.closedReason()).isEqualTo("attempt_failure");
      assertThat(page.frames()).extracting(StoredFrame::frameType).containsExactlyInAnyOrder("stdout", "stderr", "stdout");
      assertThat(page.frames().stream().filter(f -> f.frameType().equals("stdout")).map(StoredFrame::text))
          .containsExactly("hi\n", "no newline");
      assertThat(page.frames().stream().filter(f -> f.frameType().equals("stderr")).map(StoredFrame::text))
          .containsExactly("err\n");
    }
  }

  @Test
  void runSplitsLongLinesKeepsBytesAndClosesWithSuccess() throws Exception {
    try (var run = Cli.start("run", "--server", url, "--max-frame-bytes", "10", "--", "sh", "-c",
        "printf '%030d\\n' 0; printf '\\377\\000\\001\\n'")) {
      assertThat(run.exit(60)).isZero();
      byte[] expected = ("0".repeat(30) + "\n\377\000\001\n").getBytes(StandardCharsets.ISO_8859_1);
      assertThat(run.outBytes()).isEqualTo(expected);
      var m = FIRST_LINE.matcher(run.err());
      assertThat(m.find()).isTrue();
      var page = client.read(m.group(1), 0, "start", "end", 100);
      assertThat(page.closedReason()).isEqualTo("attempt_success");
      assertThat(page.frames()).extracting(f -> f.payload().length).containsExactly(10, 10, 10, 1, 4);
      var joined = new java.io.ByteArrayOutputStream();
      page.frames().forEach(f -> joined.writeBytes(f.payload()));
      assertThat(joined.toByteArray()).isEqualTo(expected);

      // tail (not following) gives the run's output back byte for byte
      try (var tail = Cli.start("tail", "--server", url, m.group(1))) {
        assertThat(tail.exit(60)).isZero();
        assertThat(tail.outBytes()).isEqualTo(expected);
      }
    }
  }

  @Test
  void runRecordsManyLinesInOrderThroughBatches() throws Exception {
    try (var run = Cli.start("run", "--server", url, "--", "seq", "1", "3000")) {
      assertThat(run.exit(120)).isZero();
      var m = FIRST_LINE.matcher(run.err());
      assertThat(m.find()).isTrue();
      var lines = new java.util.ArrayList<String>();
      String cursor = "start";
      while (true) {
        var page = client.read(m.group(1), 0, cursor, "end", 1000);
        page.frames().forEach(f -> lines.add(f.text()));
        if (page.frames().size() < 1000) {
          assertThat(page.closedReason()).isEqualTo("attempt_success");
          break;
        }
        var last = page.frames().get(999).id();
        cursor = last.substring(0, last.indexOf('-') + 1) + (Long.parseLong(last.substring(last.indexOf('-') + 1)) + 1);
      }
      assertThat(lines).containsExactlyElementsOf(
          java.util.stream.IntStream.rangeClosed(1, 3000).mapToObj(i -> i + "\n").toList());
    }
  }

  @Test
  void runOfAMissingCommandExits127AndClosesTheAttempt() throws Exception {
    try (var run = Cli.start("run", "--server", url, "--", "no-such-command-anywhere")) {
      assertThat(run.exit(60)).isEqualTo(127);
      var m = FIRST_LINE.matcher(run.err());
      assertThat(m.find()).isTrue();
      assertThat(client.read(m.group(1), 0, "start", "end", 10).closedReason()).isEqualTo("attempt_failure");
    }
  }

  @Test
  void tailFollowsLiveAndExitsZeroWhenTheAttemptCloses() throws Exception {
    String id = client.mintExecution();
    var attempt = client.startAttempt(id, Duration.ofSeconds(30));
    attempt.append(NewFrame.durable("stdout", "one\n"));
    try (var tail = Cli.start(Map.of("TRIBUTARY_URL", url), "tail", "-f", id)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> tail.out().contains("one\n"));
      attempt.append(NewFrame.durable("stdout", "two\n"));
      attempt.append(NewFrame.durable("progress", "{\"pct\":50}"));
      attempt.close(CloseReason.ATTEMPT_SUCCESS);
      assertThat(tail.exit(30)).isZero();
      assertThat(tail.out()).isEqualTo("one\ntwo\n[progress] {\"pct\":50}\n");
      assertThat(tail.err()).isEqualTo("attempt 0 closed: attempt_success\n");
    }
  }

  @Test
  void tailEndsCleanlyOnCtrlC() throws Exception {
    String id = client.mintExecution();
    var attempt = client.startAttempt(id, Duration.ofSeconds(30));
    attempt.append(NewFrame.durable("stdout", "waiting\n"));
    try (var tail = Cli.start("tail", "-f", "--server", url, id)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> tail.out().contains("waiting\n"));
      new ProcessBuilder("kill", "-INT", Long.toString(tail.pid())).start().waitFor();
      assertThat(tail.exit(15)).isEqualTo(130);
      assertThat(tail.err()).doesNotContain("Exception").doesNotContain("\tat ");
    } finally {
      attempt.close(CloseReason.ATTEMPT_CANCELLED);
    }
  }

  @Test
  void readAsNdjsonSummaryAppendAndExitCodes() throws Exception {
    String id = client.mintExecution();
    var attempt = client.startAttempt(id, Duration.ofSeconds(30));
    var env = Map.of("TRIBUTARY_URL", url, "TRIBUTARY_EXECUTION", id, "TRIBUTARY_ATTEMPT", "0",
        "TRIBUTARY_HANDLE", attempt.handle());
    try (var append = Cli.start(env, "append", "--type", "log", "hello")) {
      assertThat(append.exit(60)).as(append.err()).isZero();
      assertThat(append.out()).matches("\\d+-\\d+\n");
    }
    try (var patch = Cli.start(env, "append", "--mode", "summary", "{\"pct\":75}")) {
      assertThat(patch.exit(60)).as(patch.err()).isZero();
    }
    attempt.close(CloseReason.ATTEMPT_SUCCESS);
    try (var read = Cli.start(Map.of("TRIBUTARY_URL", url), "read", id, "--output", "json");
        var summary = Cli.start(Map.of("TRIBUTARY_URL", url), "summary", id);
        var missing = Cli.start("tail", "--server", url, client.mintExecution());
        var unreachable = Cli.start("read", "--server", "http://127.0.0.1:1", id)) {
      assertThat(read.exit(60)).isZero();
      var lines = read.out().split("\n");
      assertThat(lines).hasSize(3);
      assertThat(lines[0]).contains("\"frame_type\":\"log\"").contains("\"payload\":\"hello\"");
      assertThat(lines[1]).contains("\"mode\":\"summary\"");
      assertThat(lines[2]).isEqualTo("{\"closed_reason\":\"attempt_success\"}");
      assertThat(summary.exit(60)).isZero();
      assertThat(summary.out()).isEqualTo("{\"pct\":75}\n");
      assertThat(missing.exit(60)).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(missing.err()).contains("has no attempt");
      assertThat(unreachable.exit(90)).isEqualTo(ExitCodes.UNAVAILABLE);
    }
  }
}
