package io.tributary.server;

import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static io.tributary.server.TestServers.startAttempt;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code Idempotency-Key} through a real server: a retry after a server restart, racing retries. */
class IdempotentAppendOverHttpTest {

  private static java.net.http.HttpRequest keyed(TributaryServer server, JsonNode attempt, String body, String key) {
    return request(server, attemptPath(attempt.get("execution_id").asString(), 0) + "/stream?frame_type=log")
        .header("Tributary-Handle", attempt.get("handle").asString())
        .header("Idempotency-Key", key)
        .POST(BodyPublishers.ofString(body))
        .build();
  }

  private static int count(TributaryServer server, JsonNode attempt) throws Exception {
    var read = send(request(server, attemptPath(attempt.get("execution_id").asString(), 0) + "/stream").build());
    return json(read).get("count").asInt();
  }

  @Test
  void aRetryAfterTheServerRestartedAnswersTheFirstId() throws Exception {
    String db = TestServers.newDatabase("idempotent_http_restart");
    JsonNode attempt;
    String firstId;
    try (var before = TestServers.start(db, b -> b)) {
      attempt = startAttempt(before);
      var first = send(keyed(before, attempt, "line 1", "worker-3:seq-1"));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("Tributary-Idempotent-Replay")).isEmpty();
      firstId = json(first).get("id").asString();
    }
    try (var after = TestServers.start(db, b -> b)) {
      var retry = send(keyed(after, attempt, "line 1", "worker-3:seq-1"));
      assertThat(retry.statusCode()).isEqualTo(200);
      assertThat(retry.headers().firstValue("Tributary-Idempotent-Replay")).contains("true");
      assertThat(json(retry).get("id").asString()).isEqualTo(firstId);
      assertThat(json(retry).get("replayed").asBoolean()).isTrue();

      var changed = send(keyed(after, attempt, "line 1, edited", "worker-3:seq-1"));
      assertThat(changed.statusCode()).isEqualTo(409);
      assertThat(json(changed).get("kind").asString()).isEqualTo("idempotency_key_reused");
      assertThat(count(after, attempt)).isEqualTo(1);
    }
  }

  @Test
  void racingRetriesOfOneAppendWriteOneFrame() throws Exception {
    try (var server = TestServers.start(TestServers.newDatabase("idempotent_http_race"), b -> b)) {
      var attempt = startAttempt(server);
      var inFlight = new ArrayList<CompletableFuture<HttpResponse<String>>>();
      for (int i = 0; i < 8; i++) {
        inFlight.add(TestServers.CLIENT.sendAsync(
            keyed(server, attempt, "once", "the-one"), HttpResponse.BodyHandlers.ofString()));
      }
      var ids = new HashSet<String>();
      int replays = 0;
      for (var f : inFlight) {
        var r = f.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ids.add(json(r).get("id").asString());
        replays += r.headers().firstValue("Tributary-Idempotent-Replay").isPresent() ? 1 : 0;
      }
      assertThat(ids).hasSize(1);
      assertThat(replays).isEqualTo(7);
      assertThat(count(server, attempt)).isEqualTo(1);
    }
  }
}
