package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamCreation;
import io.tributary.api.NamedStreamSpec;
import io.tributary.api.StreamCursor;
import io.tributary.api.TailOptions;
import io.tributary.api.UnavailableException;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PostgresTributaryTest {
  private final String url = EmbeddedPostgres.createDatabase("tributary_entry");

  @Test
  @DisplayName("one entry point opens both stores on one database; close stops both and is idempotent")
  void bothStoresOneLifecycle() {
    var tributary = PostgresTributary.open(StoreConfig.builder(url).user("postgres").build());
    var attempts = tributary.attemptStreams();
    var handle = attempts.startAttempt(ExecutionId.random(0), Duration.ofSeconds(30));
    attempts.append(handle, Frame.of("log", "x"));
    assertThat(attempts.tail(handle.attempt(), StreamCursor.fromBeginning(), TailOptions.peek()).frames()).hasSize(1);
    var named = tributary.namedStreams();
    assertThat(named.create("/entry/a", NamedStreamSpec.of("text/plain")).status())
        .isEqualTo(NamedStreamCreation.Status.CREATED);
    named.append("/entry/a", NamedStreamAppend.of("text/plain", "abc".getBytes(StandardCharsets.UTF_8)));
    assertThat(named.read("/entry/a", 0, 1_000).nextPos()).isEqualTo(3);
    assertThat(tributary.database()).isSameAs(((PostgresStreamStore) attempts).database());

    tributary.close();
    tributary.close();
    assertThatThrownBy(() -> attempts.append(handle, Frame.of("log", "late")))
        .isInstanceOf(UnavailableException.class);
  }
}
