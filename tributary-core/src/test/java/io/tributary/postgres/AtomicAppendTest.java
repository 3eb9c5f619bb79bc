package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.CloseReason;
import io.tributary.api.ConflictException;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamMode;
import io.tributary.api.ValidationException;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code appendAll}: every frame or none, in order, whichever frame fails and however. */
class AtomicAppendTest {
  private static PostgresStreamStore store;

  @BeforeAll
  static void open() {
    store =
        PostgresStreamStore.open(
            StoreConfig.builder(EmbeddedPostgres.createDatabase("atomic_append")).user("postgres").maxPayloadBytes(100).build());
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static List<String> payloads(io.tributary.api.Handle h) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.START, StreamCursor.END, 1000).frames().stream()
        .map(f -> new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8)).toList();
  }

  @Test
  void aBatchOfMixedModesCommitsInOrder() {
    var h = store.startAttempt(ExecutionId.random(1), Duration.ofSeconds(30));
    var outcomes =
        store.appendAll(
            h,
            List.of(
                Frame.of("log", "a"),
                Frame.of("progress", "{\"pct\":1}").withMode(StreamMode.durableSummary()),
                Frame.of("log", "b").withIdempotencyKey("k-b")));
    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.get(0).id().compareTo(outcomes.get(1).id())).isNegative();
    assertThat(outcomes.get(1).id().compareTo(outcomes.get(2).id())).isNegative();
    assertThat(outcomes.get(1).summaryVersion()).isEqualTo(1L);
    assertThat(payloads(h)).containsExactly("a", "{\"pct\":1}", "b");
    // the same batch again: the keyed frame is a replay, the others append again
    var again = store.appendAll(h, List.of(Frame.of("log", "b").withIdempotencyKey("k-b")));
    assertThat(again.get(0).replayed()).isTrue();
    assertThat(again.get(0).id()).isEqualTo(outcomes.get(2).id());
  }

  @Test
  void aReusedKeyLateInTheBatchWritesNothingAtAll() {
    var h = store.startAttempt(ExecutionId.random(1), Duration.ofSeconds(30));
    store.append(h, Frame.of("log", "first").withIdempotencyKey("k1"));
    assertThatThrownBy(
            () ->
                store.appendAll(
                    h,
                    List.of(
                        Frame.of("log", "x"),
                        Frame.of("progress", "{\"pct\":2}").withMode(StreamMode.durableSummary()),
                        Frame.of("log", "other").withIdempotencyKey("k1"))))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("frame 2");
    assertThat(payloads(h)).containsExactly("first");
    assertThat(store.readSummary(h.executionId(), h.attemptIndex())).isEmpty();
    // two frames of one batch with one key and different bodies: also nothing
    assertThatThrownBy(
            () -> store.appendAll(h, List.of(Frame.of("log", "y").withIdempotencyKey("k2"), Frame.of("log", "z").withIdempotencyKey("k2"))))
        .isInstanceOf(ConflictException.class);
    assertThat(payloads(h)).containsExactly("first");
  }

  @Test
  void aBadFrameAStaleLeaseOrAClosedAttemptWriteNothing() {
    var h = store.startAttempt(ExecutionId.random(1), Duration.ofSeconds(30));
    assertThatThrownBy(() -> store.appendAll(h, List.of(Frame.of("log", "ok"), Frame.of("log", "x".repeat(101)))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("frame 1");
    assertThatThrownBy(() -> store.appendAll(h, List.of(Frame.of("log", "ok"), Frame.of("p", "not json").withMode(StreamMode.durableSummary()))))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> store.appendAll(h, List.of())).isInstanceOf(ValidationException.class);
    assertThat(payloads(h)).isEmpty();

    var newer = store.reclaim(h.executionId(), Duration.ofSeconds(30));
    assertThatThrownBy(() -> store.appendAll(h, List.of(Frame.of("log", "zombie"))))
        .isInstanceOf(StaleOwnerException.class);
    store.closeAttempt(newer, CloseReason.ATTEMPT_SUCCESS);
    assertThatThrownBy(() -> store.appendAll(newer, List.of(Frame.of("log", "late"))))
        .isInstanceOfAny(StreamClosedException.class, StaleOwnerException.class);
    assertThat(payloads(h)).isEmpty();
    assertThat(payloads(newer)).isEmpty();
  }
}
