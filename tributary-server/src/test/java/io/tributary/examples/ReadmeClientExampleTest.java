package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.client.CloseReason;
import io.tributary.client.LiveMode;
import io.tributary.client.NewFrame;
import io.tributary.client.TributaryClient;
import io.tributary.server.ServerConfig;
import io.tributary.server.TributaryServer;
import io.tributary.testing.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's SDK example runs against a real server, and is the README's text line for line. */
class ReadmeClientExampleTest {
  private static final String BEGIN = "// --- from README.md, the SDK example ---";
  private static final String END = "// --- end of the SDK example ---";

  @Test
  void theSdkExampleRuns() throws Exception {
    var printed = new ByteArrayOutputStream();
    var stdout = System.out;
    try (var server =
        TributaryServer.start(
            ServerConfig.builder(EmbeddedPostgres.createDatabase("readme_client_example")).dbUser("postgres")
                .port(0).poolSize(4).build())) {
      String url = server.baseUrl();
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      // --- from README.md, the SDK example ---
      try (var client = TributaryClient.builder(url).build()) {
        String id = client.mintExecution();
        try (var attempt = client.startAttempt(id, Duration.ofSeconds(30))) { // lease renewed in the background
          attempt.append(NewFrame.durable("log", "compiling"));
          attempt.appendAsync(NewFrame.durable("log", "linking")).join(); // pipelined; retries never duplicate
          attempt.patchSummary("{\"pct\":100}");
          attempt.close(CloseReason.ATTEMPT_SUCCESS);
        }
        try (var follow = client.follow(id, 0, null, LiveMode.SSE)) { // live, resumes by itself, ends at the close
          follow.forEachRemaining(frame -> System.out.println(frame.frameType() + ": " + frame.text()));
          System.out.println("closed: " + follow.closeReason().orElseThrow());
        }
      }
      // --- end of the SDK example ---
    } finally {
      System.setOut(stdout);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .isEqualTo("log: compiling\nlog: linking\nsummary: {\"pct\":100}\nclosed: attempt_success\n");
  }

  @Test
  void theReadmeShowsExactlyThisExample() throws Exception {
    Path source = Path.of("src/test/java/io/tributary/examples/ReadmeClientExampleTest.java");
    String own = Files.readString(source);
    List<String> tested =
        lines(own.substring(own.indexOf(BEGIN + "\n") + BEGIN.length() + 1, own.indexOf("      " + END)));
    String readme = Files.readString(Path.of("../README.md"));
    var block = Pattern.compile("```java\n(try \\(var client = TributaryClient.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("README has the SDK example").isTrue();
    assertThat(lines(block.group(1))).isEqualTo(tested);
  }

  private static List<String> lines(String text) {
    return Arrays.stream(text.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
