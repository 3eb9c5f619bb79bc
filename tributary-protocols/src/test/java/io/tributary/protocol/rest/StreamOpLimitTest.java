package io.tributary.protocol.rest;

import static io.tributary.protocol.rest.RestCalls.attemptPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ExecutionId;
import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.testing.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stream-op concurrency limit: try-acquire, 429 with retryable, 503 after shutdown. */
class StreamOpLimitTest {
  private static PostgresStreamStore store;

  @BeforeAll
  static void open() {
    var url = EmbeddedPostgres.createDatabase("rest_limit");
    store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build());
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @Test
  void fiveConcurrentTailsWithTwoPermitsGetAtLeastThree429s() throws Exception {
    var rest = new RestCalls(new FlowFabricRestHandler(store, RestConfig.withMaxStreamOps(2)));
    String tail = attemptPath(ExecutionId.random(9), 0) + "/stream/tail";
    var go = new CountDownLatch(1);
    var replies = new ArrayList<Future<RestCalls.Reply>>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 5; i++) {
        replies.add(
            pool.submit(
                () -> {
                  go.await();
                  return rest.get(tail, "block_ms=2000&limit=10");
                }));
      }
      go.countDown();
    }
    int ok = 0;
    int tooMany = 0;
    for (var f : replies) {
      var reply = f.get();
      if (reply.status() == 200) {
        ok++;
      } else {
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.headers().first("Retry-After")).isEqualTo("1");
        assertThat(reply.json().toString())
            .isEqualTo(
                "{\"error\":\"too many concurrent stream_ops calls (server max: 2); retry with"
                    + " backoff\",\"kind\":\"resource_exhausted\",\"retryable\":true}");
        tooMany++;
      }
    }
    assertThat(tooMany).isGreaterThanOrEqualTo(3);
    assertThat(ok).isLessThanOrEqualTo(2);
  }

  @Test
  void permitsComeBackAfterEachCall() {
    var handler = new FlowFabricRestHandler(store, RestConfig.withMaxStreamOps(1));
    var rest = new RestCalls(handler);
    String stream = attemptPath(ExecutionId.random(9), 0) + "/stream";
    for (int i = 0; i < 3; i++) {
      assertThat(rest.get(stream, "").status()).isEqualTo(200);
      assertThat(rest.get(stream, "limit=0").status()).isEqualTo(400);
    }
    assertThat(handler.streamOpsInUse()).isZero();
  }

  @Test
  void afterShutdownStreamOpsAreUnavailable() {
    var handler = new FlowFabricRestHandler(store, RestConfig.defaults());
    handler.shutdown();
    var reply = new RestCalls(handler).get(attemptPath(ExecutionId.random(9), 0) + "/stream", "");
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.headers().first("Retry-After")).isEqualTo("1");
    assertThat(reply.json().toString())
        .isEqualTo(
            "{\"error\":\"backend op unavailable: stream_ops\",\"kind\":\"unavailable\",\"retryable\":false}");
  }
}
