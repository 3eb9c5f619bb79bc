package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.StreamFrame;
import io.tributary.postgres.StoreConfig;
import io.tributary.testing.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The README's library example is {@link LibraryExample}, quoted from its first import to its
 * end: this test runs it on a real PostgreSQL and checks the README still quotes it as it is.
 */
class ReadmeExampleTest {
  private static final Path EXAMPLE = Path.of("src/test/java/io/tributary/examples/LibraryExample.java");
  private static final Path README = Path.of("../README.md");

  @Test
  @DisplayName("the library example runs: two frames tailed, the attempt closed")
  void theExampleRuns() {
    String url = EmbeddedPostgres.createDatabase("readme_example");
    var frames = LibraryExample.run(StoreConfig.builder(url).user("postgres").build());
    assertThat(frames.frames()).extracting(StreamFrame::frameType).containsExactly("log", "log");
  }

  @Test
  @DisplayName("README.md quotes LibraryExample.java from its first import to its end, unchanged")
  void theReadmeQuotesTheExample() throws IOException {
    String source = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
    String quoted = source.substring(source.indexOf("import ")).strip();
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    assertThat(readme).contains("```java\n" + quoted + "\n```");
  }
}
