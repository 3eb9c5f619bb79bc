package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Value types of spec §1.7 (acceptance scenarios §8.4, §8.5) and small API contracts. */
class ApiValuesTest {

  @Test
  @DisplayName("§8.4 mode wire tokens durable/summary/best_effort; a Frame defaults to Durable")
  void modes() {
    assertThat(StreamMode.durable().wire()).isEqualTo("durable");
    assertThat(StreamMode.durableSummary().wire()).isEqualTo("summary");
    assertThat(StreamMode.bestEffortLive(1).wire()).isEqualTo("best_effort");
    assertThat(((StreamMode.DurableSummary) StreamMode.durableSummary()).patchKind())
        .isEqualTo(PatchKind.JSON_MERGE_PATCH);
    assertThat(PatchKind.JSON_MERGE_PATCH.wire()).isEqualTo("json-merge-patch");
    assertThat(new Frame(new byte[0], null, null, null, null).mode()).isEqualTo(StreamMode.DURABLE);
    assertThat(Frame.of("log", "x").mode()).isEqualTo(StreamMode.durable());
  }

  @Test
  @DisplayName("§8.4 TailVisibility All has wire \"\", ExcludeBestEffort wire exclude_best_effort")
  void visibility() {
    assertThat(TailVisibility.ALL.wire()).isEmpty();
    assertThat(TailVisibility.EXCLUDE_BEST_EFFORT.wire()).isEqualTo("exclude_best_effort");
  }

  @Test
  @DisplayName("§8.5 the sentinel is exactly __ff_null__ (11 ASCII bytes)")
  void sentinel() {
    assertThat(StreamStore.SUMMARY_NULL_SENTINEL).isEqualTo("__ff_null__");
    assertThat(StreamStore.SUMMARY_NULL_SENTINEL.getBytes(StandardCharsets.US_ASCII)).hasSize(11);
    assertThat(StreamStore.SUMMARY_NULL_SENTINEL.getBytes(StandardCharsets.UTF_8)).hasSize(11);
  }

  @Test
  @DisplayName("§8.5 an outcome has no summary version unless given one")
  void outcome() {
    var o = new AppendOutcome(EntryId.parse("1713-0"), 3, null);
    assertThat(o.summaryVersion()).isNull();
    assertThat(o.frameCount()).isEqualTo(3);
    assertThat(new AppendOutcome(EntryId.parse("1713-0"), 3, 7L).summaryVersion()).isEqualTo(7L);
  }

  @Test
  @DisplayName("an idempotency key travels through every with-method; outcomes are not replays unless said so")
  void idempotencyKey() {
    assertThat(Frame.of("log", "x").idempotencyKey()).isNull();
    var keyed = Frame.of("log", "x").withIdempotencyKey("k");
    assertThat(keyed.idempotencyKey()).isEqualTo("k");
    assertThat(keyed.withMode(StreamMode.durableSummary()).idempotencyKey()).isEqualTo("k");
    assertThat(keyed.withCorrelationId("c").idempotencyKey()).isEqualTo("k");
    assertThat(keyed.withIdempotencyKey(null).idempotencyKey()).isNull();
    // an empty key is kept so the store can reject it instead of silently appending unnamed
    assertThat(Frame.of("log", "x").withIdempotencyKey("").idempotencyKey()).isEmpty();
    assertThat(new AppendOutcome(EntryId.parse("1713-0"), 3, null).replayed()).isFalse();
    assertThat(new AppendOutcome(EntryId.parse("1713-0"), 3, null, true).replayed()).isTrue();
    assertThat(StreamStore.MAX_IDEMPOTENCY_KEY_LENGTH).isEqualTo(256);
    assertThat(new ConflictException("x").code()).isEqualTo("conflict");
    assertThat(new ConflictException(ConflictException.IDEMPOTENCY_KEY_REUSED, "x").code())
        .isEqualTo("idempotency_key_reused");
  }

  @Test
  @DisplayName("§1.7 constants: read cap 10000, tail block 30000")
  void constants() {
    assertThat(StreamStore.READ_HARD_CAP).isEqualTo(10_000);
    assertThat(StreamStore.MAX_TAIL_BLOCK_MS).isEqualTo(30_000);
  }

  @Test
  @DisplayName("§8.14 an empty frame_type falls back to the kind's encoding; empty correlation id is none")
  void frameDefaults() {
    assertThat(new Frame(new byte[0], FrameKind.STDERR, "", null, null).effectiveFrameType()).isEqualTo("stderr");
    assertThat(new Frame(new byte[0], FrameKind.STDOUT, null, null, null).effectiveFrameType()).isEqualTo("stdout");
    assertThat(new Frame(new byte[0], FrameKind.BLOB, "", null, null).effectiveFrameType()).isEqualTo("blob");
    assertThat(new Frame(new byte[0], null, "", null, null).effectiveFrameType()).isEqualTo("event");
    assertThat(new Frame(new byte[0], FrameKind.STDERR, "log", null, null).effectiveFrameType()).isEqualTo("log");
    assertThat(Frame.of("log", "x").withCorrelationId("").correlationId()).isNull();
    assertThat(Frame.of("log", "x").withCorrelationId("c-1").correlationId()).isEqualTo("c-1");
    assertThatThrownBy(() -> Frame.of("log", (byte[]) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("§3.5 close reasons have the reference wire tokens and parse back")
  void closeReasons() {
    assertThat(List.of(CloseReason.values()).stream().map(CloseReason::wire))
        .containsExactly(
            "attempt_success", "attempt_failure", "attempt_cancelled", "expired", "suspension_timeout",
            "dependency_impossible", "lease_expired", "reclaimed");
    for (var r : CloseReason.values()) {
      assertThat(CloseReason.parse(r.wire())).isEqualTo(r);
    }
    assertThatThrownBy(() -> CloseReason.parse("attempt_interrupted")).isInstanceOf(ValidationException.class);
  }

  @Test
  @DisplayName("StreamFrames: closed iff closedAt is set; frames are copied")
  void streamFrames() {
    assertThat(StreamFrames.empty().isClosed()).isFalse();
    assertThat(new StreamFrames(List.of(), 5L, "attempt_success").isClosed()).isTrue();
    var list = new java.util.ArrayList<StreamFrame>();
    var frames = new StreamFrames(list, null, null);
    list.add(new StreamFrame(EntryId.ZERO, "x", new byte[0], "durable", null, 0, null, null));
    assertThat(frames.frames()).isEmpty();
  }

  @Test
  @DisplayName("error codes are the reference's wire codes")
  void errorCodes() {
    assertThat(new StaleOwnerException("x").code()).isEqualTo("stale_owner_cannot_append");
    assertThat(new StreamClosedException("attempt_success").code()).isEqualTo("stream_closed");
    assertThat(new StreamClosedException("attempt_success").closedReason()).isEqualTo("attempt_success");
    assertThat(new ValidationException(ValidationKind.RETENTION_LIMIT_EXCEEDED, "x").code())
        .isEqualTo("retention_limit_exceeded");
    assertThat(ValidationKind.HANDLE_FROM_OTHER_BACKEND.code()).isEqualTo("handle_from_other_backend");
    assertThat(new UnavailableException("x", true, null).retryable()).isTrue();
    assertThat(new StaleOwnerException("x").retryable()).isFalse();
  }
}
