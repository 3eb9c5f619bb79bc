package io.tributary.protocol.rest;

import static io.tributary.protocol.rest.FlowFabricRestHandler.HANDLE_HEADER;
import static io.tributary.protocol.rest.RestCalls.attemptPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ExecutionId;
import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.testing.EmbeddedPostgres;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lifecycle and append routes a worker in another language uses, and their errors. */
class AttemptLifecycleRestTest {
  private static PostgresStreamStore store;
  private static RestCalls rest;

  @BeforeAll
  static void open() {
    var url = EmbeddedPostgres.createDatabase("rest_lifecycle");
    store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build());
    rest = new RestCalls(new FlowFabricRestHandler(store, RestConfig.defaults()));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  /** A started attempt as the REST client sees it. */
  private record Started(String executionId, String handle, String path) {}

  private static Started start() {
    var minted = rest.post("/v1/executions", "", "{\"lane_id\":\"default\"}");
    assertThat(minted.status()).isEqualTo(201);
    String id = minted.json().get("execution_id").asString();
    var started = rest.post("/v1/executions/" + id + "/attempts", "", "{\"lease_ttl_ms\":60000}");
    assertThat(started.status()).isEqualTo(201);
    assertThat(started.json().get("attempt_index").asLong()).isZero();
    return new Started(
        id, started.json().get("handle").asString(), "/v1/executions/" + id + "/attempts/0");
  }

  @Test
  void mintedIdsAreExecutionIdsPartitionedByLane() {
    String a = rest.post("/v1/executions", "", "{\"lane_id\":\"lane-a\"}").json().get("execution_id").asString();
    String b = rest.post("/v1/executions", "", "{\"lane_id\":\"lane-a\"}").json().get("execution_id").asString();
    String anyLane = rest.post("/v1/executions", "", (String) null).json().get("execution_id").asString();
    assertThat(ExecutionId.parse(a).partition()).isEqualTo(ExecutionId.parse(b).partition());
    assertThat(ExecutionId.parse(a).partition())
        .isEqualTo(ExecutionMint.crc16("lane-a".getBytes()) % 256);
    assertThat(a).isNotEqualTo(b);
    assertThat(ExecutionId.parse(anyLane).partition()).isBetween(0, 255);
  }

  @Test
  void crc16IsXmodem() {
    assertThat(ExecutionMint.crc16("123456789".getBytes())).isEqualTo(0x31C3);
  }

  @Test
  void appendsInAllThreeModesThenReadSummaryAndClose() {
    var s = start();
    var durable = rest.post(s.path() + "/stream", "frame_type=log&correlation_id=c-1", "hello", HANDLE_HEADER, s.handle());
    assertThat(durable.status()).isEqualTo(200);
    assertThat(durable.json().get("frame_count").asLong()).isEqualTo(1);
    assertThat(durable.json().has("summary_version")).isFalse();

    var summary = rest.post(s.path() + "/stream", "mode=summary", "{\"a\":1,\"b\":{\"c\":2}}", HANDLE_HEADER, s.handle());
    assertThat(summary.json().get("summary_version").asLong()).isEqualTo(1);
    var summary2 = rest.post(s.path() + "/stream", "mode=summary&patch_kind=json-merge-patch", "{\"a\":null}", HANDLE_HEADER, s.handle());
    assertThat(summary2.json().get("summary_version").asLong()).isEqualTo(2);

    var live = rest.post(s.path() + "/stream", "mode=best_effort&ttl_ms=5000&maxlen_floor=100&kind=stdout", "tok", HANDLE_HEADER, s.handle());
    assertThat(live.status()).isEqualTo(200);

    var frames = rest.get(s.path() + "/stream", "").json().get("frames");
    assertThat(frames).hasSize(4);
    assertThat(frames.get(0).get("fields").get("correlation_id").asString()).isEqualTo("c-1");
    assertThat(frames.get(1).get("fields").get("mode").asString()).isEqualTo("summary");
    assertThat(frames.get(3).get("fields").get("mode").asString()).isEqualTo("best_effort");
    assertThat(frames.get(3).get("fields").get("frame_type").asString()).isEqualTo("stdout");

    var doc = rest.get(s.path() + "/summary", "");
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.json().get("document").toString()).isEqualTo("{\"b\":{\"c\":2}}");
    assertThat(doc.json().get("version").asLong()).isEqualTo(2);
    assertThat(doc.json().get("patch_kind").asString()).isEqualTo("json-merge-patch");

    var closed = rest.post(s.path() + "/close", "", "{\"reason\":\"attempt_success\"}", HANDLE_HEADER, s.handle());
    assertThat(closed.status()).isEqualTo(200);
    var after = rest.post(s.path() + "/stream", "", "late", HANDLE_HEADER, s.handle());
    assertThat(after.status()).isEqualTo(409);
    assertThat(after.kind()).isEqualTo("stream_closed");

    var read = rest.get(s.path() + "/stream", "").json();
    assertThat(read.get("count").asInt()).isEqualTo(4);
    assertThat(read.get("closed_reason").asString()).isEqualTo("attempt_success");
    assertThat(read.get("closed_at").isIntegralNumber()).isTrue();
  }

  @Test
  void tailIsWokenByAnAppendThroughTheApi() {
    var s = start();
    var tail =
        CompletableFuture.supplyAsync(
            () -> rest.get(s.path() + "/stream/tail", "after=0-0&block_ms=10000"),
            r -> Thread.ofVirtual().start(r));
    rest.post(s.path() + "/stream", "frame_type=log", "wake", HANDLE_HEADER, s.handle());
    var woken = tail.join();
    assertThat(woken.status()).isEqualTo(200);
    assertThat(woken.json().get("frames").get(0).get("fields").get("payload").asString()).isEqualTo("wake");
  }

  @Test
  void renewExtendsTheLeaseAndKeepsTheEpoch() {
    var s = start();
    var renewed = rest.post(s.path() + "/renew", "", "{\"lease_ttl_ms\":120000}", HANDLE_HEADER, s.handle());
    assertThat(renewed.status()).isEqualTo(200);
    assertThat(renewed.json().get("lease_ttl_ms").asLong()).isEqualTo(120000);
    var appended = rest.post(s.path() + "/stream", "", "after renew", HANDLE_HEADER, renewed.json().get("handle").asString());
    assertThat(appended.status()).isEqualTo(200);
  }

  @Test
  void reclaimFencesTheOldHandle() {
    var s = start();
    var reclaimed = rest.post("/v1/executions/" + s.executionId() + "/reclaim", "", (String) null);
    assertThat(reclaimed.status()).isEqualTo(200);
    assertThat(reclaimed.json().get("attempt_index").asLong()).isEqualTo(1);

    var stale = rest.post(s.path() + "/renew", "", (String) null, HANDLE_HEADER, s.handle());
    assertThat(stale.status()).isEqualTo(409);
    var old = rest.get(s.path() + "/stream", "").json();
    assertThat(old.get("closed_reason").asString()).isEqualTo("reclaimed");

    var newPath = "/v1/executions/" + s.executionId() + "/attempts/1/stream";
    var fresh = rest.post(newPath, "", "new owner", HANDLE_HEADER, reclaimed.json().get("handle").asString());
    assertThat(fresh.status()).isEqualTo(200);
  }

  @Test
  void startingWhileTheLeaseIsLiveConflicts() {
    var s = start();
    var again = rest.post("/v1/executions/" + s.executionId() + "/attempts", "", (String) null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.kind()).isEqualTo("conflict");
  }

  @Test
  void reclaimOfAnExecutionWithoutAttemptsIsNotFound() {
    var reply = rest.post("/v1/executions/" + ExecutionId.random(5) + "/reclaim", "", (String) null);
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.kind()).isEqualTo("not_found");
  }

  @Test
  void appendRejectsBadHandlesAndParameters() {
    var s = start();
    String stream = s.path() + "/stream";
    assertThat(rest.post(stream, "", "x").error()).startsWith("missing Tributary-Handle header");
    var garbled = rest.post(stream, "", "x", HANDLE_HEADER, "%%%");
    assertThat(garbled.status()).isEqualTo(400);
    assertThat(garbled.kind()).isEqualTo("corruption");

    var other = start();
    var mismatch = rest.post(stream, "", "x", HANDLE_HEADER, other.handle());
    assertThat(mismatch.status()).isEqualTo(400);
    assertThat(mismatch.error()).contains("belongs to execution " + other.executionId());

    assertThat(rest.post(stream, "mode=fast", "x", HANDLE_HEADER, s.handle()).error())
        .isEqualTo("mode must be one of durable, summary, best_effort; got 'fast'");
    assertThat(rest.post(stream, "mode=best_effort", "x", HANDLE_HEADER, s.handle()).error())
        .isEqualTo("mode=best_effort requires ttl_ms");
    assertThat(rest.post(stream, "ttl_ms=5", "x", HANDLE_HEADER, s.handle()).error())
        .isEqualTo("ttl_ms applies only to mode=best_effort");
    assertThat(rest.post(stream, "mode=summary&patch_kind=string-append", "{}", HANDLE_HEADER, s.handle()).status())
        .isEqualTo(400);
    assertThat(rest.post(stream, "kind=video", "x", HANDLE_HEADER, s.handle()).status()).isEqualTo(400);

    var notJson = rest.post(stream, "mode=summary", "not json", HANDLE_HEADER, s.handle());
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.kind()).isEqualTo("invalid_input");

    var tooBig = rest.post(stream, "", new byte[65_537], HANDLE_HEADER, s.handle());
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.kind()).isEqualTo("retention_limit_exceeded");
    assertThat(rest.post(stream, "", new byte[65_536], HANDLE_HEADER, s.handle()).status()).isEqualTo(200);

    assertThat(rest.get(stream, "").json().get("count").asInt()).isEqualTo(1);
  }

  @Test
  void closeNeedsAWorkerReason() {
    var s = start();
    assertThat(rest.post(s.path() + "/close", "", "{}", HANDLE_HEADER, s.handle()).error())
        .startsWith("body must name the outcome");
    assertThat(rest.post(s.path() + "/close", "", "{\"reason\":\"reclaimed\"}", HANDLE_HEADER, s.handle()).error())
        .isEqualTo("reason 'reclaimed' is set by the server, not by a worker");
    assertThat(rest.post(s.path() + "/close", "", "{\"reason\":\"done\"}", HANDLE_HEADER, s.handle()).status())
        .isEqualTo(400);
    assertThat(rest.post(s.path() + "/close", "", "[1]", HANDLE_HEADER, s.handle()).error())
        .isEqualTo("request body must be a JSON object");
  }

  @Test
  void leaseTtlIsValidated() {
    var id = ExecutionId.random(2);
    var reply = rest.post("/v1/executions/" + id + "/attempts", "", "{\"lease_ttl_ms\":0}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("lease_ttl_ms must be an integer in 1..86400000");
    assertThat(rest.post("/v1/executions/" + id + "/attempts", "", "{\"lease_ttl_ms\":\"5\"}").status())
        .isEqualTo(400);
    assertThat(rest.post("/v1/executions/" + id + "/attempts", "", "{").error())
        .startsWith("request body is not valid JSON");
  }

  @Test
  void summaryIsNotFoundUntilASummaryFrameIsAppended() {
    var reply = rest.get(attemptPath(ExecutionId.random(6), 0) + "/summary", "");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.kind()).isEqualTo("not_found");
  }

  @Test
  void unknownRoutesAndMethods() {
    var unknown = rest.get("/v1/executions/x/y/z", "");
    assertThat(unknown.status()).isEqualTo(404);
    var wrongMethod = rest.post(attemptPath(ExecutionId.random(1), 0) + "/summary", "", (String) null);
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.headers().first("Allow")).isEqualTo("GET");
  }
}
