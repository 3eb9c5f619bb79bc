package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Offsets, paths, error mapping and backoff, without a server (the server tests do the rest). */
class WireTest {
  @Test
  void offsetsAndIdsOfAttemptStreams() {
    assertThat(Wire.offsetAfter("1713100800150-7")).isEqualTo("0001713100800150_0000000000000007");
    assertThat(Wire.after("5-10", "5-9")).isTrue();
    assertThat(Wire.after("5-9", "5-10")).isFalse();
    assertThat(Wire.after("6-0", "5-99")).isTrue();
    assertThat(Wire.after("1-0", null)).isTrue();
    assertThatThrownBy(() -> Wire.offsetAfter("start")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pathsAreEncoded() {
    assertThat(Wire.attemptPath("{fp:42}:6f1c", 3)).isEqualTo("/v1/executions/%7Bfp%3A42%7D%3A6f1c/attempts/3");
    assertThat(Wire.namedPath("chat/room 1")).isEqualTo("/v1/stream/chat/room%201");
    assertThat(Wire.namedPath("/v1/stream/chat/42")).isEqualTo("/v1/stream/chat/42");
  }

  private static HttpHeaders headers(Map<String, List<String>> map) {
    return HttpHeaders.of(map, (a, b) -> true);
  }

  @Test
  void refusalsBecomeTypedExceptionsFromEitherEnvelope() {
    var none = headers(Map.of());
    byte[] stale = "{\"error\":\"lease gone\",\"kind\":\"stale_owner_cannot_append\",\"retryable\":false}".getBytes(StandardCharsets.UTF_8);
    assertThat(Transport.error(409, none, stale)).isInstanceOf(LeaseLostException.class);
    byte[] busy = "{\"error\":\"too many\",\"kind\":\"resource_exhausted\",\"retryable\":true}".getBytes(StandardCharsets.UTF_8);
    assertThat(Transport.error(429, none, busy)).isInstanceOf(UnavailableException.class).matches(TributaryClientException::retryable);
    byte[] ds = "{\"error\":{\"code\":\"STREAM_CLOSED\",\"message\":\"closed\"}}".getBytes(StandardCharsets.UTF_8);
    assertThat(Transport.error(409, headers(Map.of("Stream-Closed", List.of("true"))), ds)).isInstanceOf(StreamClosedException.class);
    assertThat(Transport.error(403, headers(Map.of("Producer-Epoch", List.of("4"))), new byte[0])).isInstanceOf(ConflictException.class);
    assertThat(Transport.error(403, none, new byte[0])).isInstanceOf(AccessDeniedException.class);
    assertThat(Transport.error(413, none, "not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("not json");
  }

  @Test
  void backoffGrowsToItsCap() {
    var policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(800));
    assertThat(policy.delayAfter(1).toMillis()).isBetween(50L, 100L);
    assertThat(policy.delayAfter(10).toMillis()).isBetween(400L, 800L);
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
