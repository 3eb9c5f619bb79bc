package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The argument rules every backend applies, without any backend. */
class AttemptStreamRulesTest {
  private static final Handle HANDLE =
      new Handle(ExecutionId.random(0), 0, UUID.randomUUID(), UUID.randomUUID(), 1, 1_000, 0, "", "");

  private static void assertRejected(Runnable call, ValidationKind kind, String detail) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(kind);
              assertThat(e.detail()).contains(detail);
            });
  }

  @Test
  @DisplayName("the payload size is checked before the texts, the key and the patch")
  void sizeFirst() {
    var frame = Frame.of("log\0", "{not json").withMode(StreamMode.durableSummary()).withIdempotencyKey("");
    assertRejected(
        () -> AttemptStreamRules.checkedPayload(HANDLE, frame, 3),
        ValidationKind.RETENTION_LIMIT_EXCEEDED,
        "exceeds the limit of 3 bytes");
    assertRejected(
        () -> AttemptStreamRules.checkedPayload(HANDLE, frame, 100), ValidationKind.INVALID_INPUT, "frame_type");
    var keyAndPatch = Frame.of("log", "{not json").withMode(StreamMode.durableSummary()).withIdempotencyKey("k\0");
    assertRejected(
        () -> AttemptStreamRules.checkedPayload(HANDLE, keyAndPatch, 100),
        ValidationKind.INVALID_INPUT,
        "idempotency key must not contain NUL");
    var patchOnly = Frame.of("log", "{not json").withMode(StreamMode.durableSummary());
    assertRejected(
        () -> AttemptStreamRules.checkedPayload(HANDLE, patchOnly, 100), ValidationKind.INVALID_INPUT, "not valid JSON");
  }

  @Test
  @DisplayName("a summary patch that is an empty array is stored as {}; other payloads as given")
  void payloadToStore() {
    var patch = Frame.of("p", "[]").withMode(StreamMode.durableSummary());
    assertThat(new String(AttemptStreamRules.checkedPayload(HANDLE, patch, 100), StandardCharsets.UTF_8)).isEqualTo("{}");
    var plain = Frame.of("log", "[]");
    assertThat(AttemptStreamRules.checkedPayload(HANDLE, plain, 100)).isSameAs(plain.payload());
  }

  @Test
  @DisplayName("a batch names its bad frame by index and may not be empty")
  void batch() {
    assertRejected(
        () -> AttemptStreamRules.checkedPayloads(HANDLE, List.of(), 100), ValidationKind.INVALID_INPUT, "at least one frame");
    assertRejected(
        () -> AttemptStreamRules.checkedPayloads(HANDLE, List.of(Frame.of("a", "x"), Frame.of("b", "toolong")), 3),
        ValidationKind.RETENTION_LIMIT_EXCEEDED,
        "frame 1: payload of 7 bytes");
  }

  @Test
  @DisplayName("a tail checks its cursor, then its block, then its limit; messages name no HTTP parameter")
  void tailOrder() {
    assertRejected(() -> AttemptStreamRules.checkTail(StreamCursor.START, Duration.ofMillis(-1), 0), ValidationKind.INVALID_INPUT, "concrete after cursor");
    assertRejected(
        () -> AttemptStreamRules.checkTail(StreamCursor.fromBeginning(), Duration.ofMillis(30_001), 0), ValidationKind.INVALID_INPUT, "0..30000 ms");
    assertRejected(() -> AttemptStreamRules.checkTail(StreamCursor.fromBeginning(), Duration.ZERO, 0), ValidationKind.INVALID_INPUT, "limit must be >= 1");
    assertRejected(() -> AttemptStreamRules.checkLimit(10_001), ValidationKind.INVALID_INPUT, "hard cap of 10000");
    assertThat(AttemptStreamRules.checkTail(StreamCursor.fromBeginning(), Duration.ofSeconds(30), 10_000)).isEqualTo(StreamCursor.fromBeginning());
  }

  @Test
  @DisplayName("a lease ttl is at least 1 ms and a close names its reason")
  void leaseAndClose() {
    assertThat(AttemptStreamRules.leaseTtlMs(Duration.ofSeconds(2))).isEqualTo(2_000);
    assertRejected(() -> AttemptStreamRules.leaseTtlMs(Duration.ZERO), ValidationKind.INVALID_INPUT, "lease ttl");
    assertRejected(() -> AttemptStreamRules.leaseTtlMs(null), ValidationKind.INVALID_INPUT, "lease ttl");
    assertRejected(() -> AttemptStreamRules.checkCloseReason(null), ValidationKind.INVALID_INPUT, "close reason");
  }
}
