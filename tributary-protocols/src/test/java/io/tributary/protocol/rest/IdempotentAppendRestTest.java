package io.tributary.protocol.rest;

import static io.tributary.protocol.rest.FlowFabricRestHandler.HANDLE_HEADER;
import static io.tributary.protocol.rest.FlowFabricRestHandler.IDEMPOTENCY_KEY_HEADER;
import static io.tributary.protocol.rest.FlowFabricRestHandler.REPLAY_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code Idempotency-Key} header of {@code POST …/stream}: replays, conflicts, bad keys. */
class IdempotentAppendRestTest {
  private static String url;
  private static PostgresStreamStore store;
  private static RestCalls rest;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("rest_idempotent");
    store = openStore();
    rest = new RestCalls(new FlowFabricRestHandler(store, RestConfig.defaults()));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static PostgresStreamStore openStore() {
    return PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build());
  }

  private record Started(String executionId, String handle, String path) {}

  private static Started start() {
    String id = rest.post("/v1/executions", "", (String) null).json().get("execution_id").asString();
    var started = rest.post("/v1/executions/" + id + "/attempts", "", "{\"lease_ttl_ms\":60000}");
    assertThat(started.status()).isEqualTo(201);
    return new Started(id, started.json().get("handle").asString(), "/v1/executions/" + id + "/attempts/0");
  }

  private static RestCalls.Reply append(RestCalls calls, Started s, String query, String body, String key) {
    return calls.post(s.path() + "/stream", query, body, HANDLE_HEADER, s.handle(), IDEMPOTENCY_KEY_HEADER, key);
  }

  private static int frames(Started s) {
    return rest.get(s.path() + "/stream", "").json().get("count").asInt();
  }

  @Test
  void aRetryAnswersTheFirstIdWithTheReplayHeaderAndWritesNothing() {
    var s = start();
    var first = append(rest, s, "frame_type=log", "hello", "job-7/line-1");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.headers().has(REPLAY_HEADER)).isFalse();
    assertThat(first.json().has("replayed")).isFalse();

    var retry = append(rest, s, "frame_type=log", "hello", "job-7/line-1");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.headers().first(REPLAY_HEADER)).isEqualTo("true");
    assertThat(retry.json().get("replayed").asBoolean()).isTrue();
    assertThat(retry.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
    assertThat(retry.json().get("frame_count").asLong()).isEqualTo(1);
    assertThat(frames(s)).isEqualTo(1);

    var unnamed = rest.post(s.path() + "/stream", "frame_type=log", "hello", HANDLE_HEADER, s.handle());
    assertThat(unnamed.json().get("frame_count").asLong()).isEqualTo(2);
    assertThat(frames(s)).isEqualTo(2);
  }

  @Test
  void aRetriedSummaryPatchIsNotMergedTwice() {
    var s = start();
    var first = append(rest, s, "mode=summary", "{\"n\":1}", "p-1");
    append(rest, s, "mode=summary", "{\"n\":2}", "p-2");
    var retry = append(rest, s, "mode=summary", "{\"n\":1}", "p-1");
    assertThat(retry.headers().first(REPLAY_HEADER)).isEqualTo("true");
    assertThat(retry.json().get("summary_version").asLong())
        .isEqualTo(first.json().get("summary_version").asLong())
        .isEqualTo(1);
    var doc = rest.get(s.path() + "/summary", "").json();
    assertThat(doc.get("version").asLong()).isEqualTo(2);
    assertThat(doc.get("document").toString()).isEqualTo("{\"n\":2}");
  }

  @Test
  void bestEffortAppendsTakeKeysToo() {
    var s = start();
    var first = append(rest, s, "mode=best_effort&ttl_ms=5000", "tok", "t-1");
    var retry = append(rest, s, "mode=best_effort&ttl_ms=5000", "tok", "t-1");
    assertThat(retry.headers().first(REPLAY_HEADER)).isEqualTo("true");
    assertThat(retry.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
    assertThat(frames(s)).isEqualTo(1);
  }

  @Test
  void aKeyReusedForAnotherPayloadIs409AndWritesNothing() {
    var s = start();
    var first = append(rest, s, "", "one", "k");
    var other = append(rest, s, "", "two", "k");
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.kind()).isEqualTo("idempotency_key_reused");
    assertThat(other.json().get("retryable").asBoolean()).isFalse();
    assertThat(other.error())
        .contains("idempotency key 'k'", first.json().get("id").asString(), "different append");
    assertThat(append(rest, s, "frame_type=other", "one", "k").status()).isEqualTo(409);
    assertThat(frames(s)).isEqualTo(1);
  }

  @Test
  void theKeySurvivesARestartOfTheStore() {
    var s = start();
    var first = append(rest, s, "", "before", "restart-key");
    try (var restarted = openStore()) {
      var again = new RestCalls(new FlowFabricRestHandler(restarted, RestConfig.defaults()));
      var retry = append(again, s, "", "before", "restart-key");
      assertThat(retry.status()).isEqualTo(200);
      assertThat(retry.headers().first(REPLAY_HEADER)).isEqualTo("true");
      assertThat(retry.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
    }
    assertThat(frames(s)).isEqualTo(1);
  }

  @Test
  void theNextAttemptHasKeysOfItsOwn() {
    var s = start();
    append(rest, s, "", "x", "shared");
    var reclaimed = rest.post("/v1/executions/" + s.executionId() + "/reclaim", "", (String) null).json();
    var next = new Started(s.executionId(), reclaimed.get("handle").asString(),
        "/v1/executions/" + s.executionId() + "/attempts/1");
    var fresh = append(rest, next, "", "x", "shared");
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(fresh.headers().has(REPLAY_HEADER)).isFalse();
    var stale = append(rest, s, "", "x", "shared");
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.kind()).isEqualTo("stale_owner_cannot_append");
  }

  @Test
  void badKeysAre400() {
    var s = start();
    var empty = append(rest, s, "", "x", "");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.error()).isEqualTo("Idempotency-Key must not be empty; omit it for an unnamed append");

    var twice = rest.call(new HttpRequest("POST", s.path() + "/stream", "",
        HttpHeaders.of(HANDLE_HEADER, s.handle(), IDEMPOTENCY_KEY_HEADER, "a", IDEMPOTENCY_KEY_HEADER, "b"),
        "x".getBytes(StandardCharsets.UTF_8)));
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.error()).isEqualTo("Idempotency-Key must be given once, got 2");

    var tooLong = append(rest, s, "", "x", "k".repeat(257));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.kind()).isEqualTo("invalid_input");
    assertThat(tooLong.error()).contains("longer than 256 characters");

    var nul = append(rest, s, "", "x", "a\u0000b");
    assertThat(nul.status()).isEqualTo(400);
    assertThat(nul.error()).contains("NUL");

    assertThat(frames(s)).isZero();
    assertThat(append(rest, s, "", "x", "k".repeat(256)).status()).isEqualTo(200);
  }
}
