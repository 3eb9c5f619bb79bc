package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.postgres.StoreConfig;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamMode;
import io.tributary.api.TailVisibility;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's library snippet, line for line, so it cannot rot. */
class ReadmeExampleTest {
  @Test
  void theReadmeSnippetRuns() {
    String url = EmbeddedPostgres.createDatabase("readme_example");
    // --- from README.md, "As a library" (only the JDBC URL and user differ) ---
    try (var store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build())) {
      var handle = store.startAttempt(ExecutionId.random(0), Duration.ofSeconds(30));
      store.append(handle, Frame.of("log", "hello"));
      store.append(handle, Frame.of("progress", "{\"pct\":50}").withMode(StreamMode.durableSummary()));
      var frames = store.tail(handle.executionId(), 0, StreamCursor.fromBeginning(), 5_000, 100, TailVisibility.ALL);
      store.closeAttempt(handle, CloseReason.ATTEMPT_SUCCESS);
      // --- end of snippet ---
      assertThat(frames.frames()).extracting(f -> f.frameType()).containsExactly("log", "progress");
      assertThat(store.readSummary(handle.executionId(), 0).orElseThrow().documentJson()).contains("\"pct\"");
      assertThat(store.head(handle.executionId(), 0).orElseThrow().closedReason()).isEqualTo("attempt_success");
    }
  }
}
