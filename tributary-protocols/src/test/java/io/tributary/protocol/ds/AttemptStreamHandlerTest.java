package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.header;
import static io.tributary.protocol.ds.DsFixture.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StreamMode;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AttemptStreamHandlerTest {
  private static final JsonMapper JSON = JsonMapper.shared();
  private final DsFixture ds = DsFixture.get();

  private record Attempt(String path, Handle handle) {}

  private Attempt start() {
    var eid = ExecutionId.random(42);
    var handle = ds.attempts.startAttempt(eid, Duration.ofMinutes(1));
    return new Attempt("/v1/stream/executions/" + eid + "/attempts/0", handle);
  }

  private static JsonNode json(HttpResponse.Full r) {
    return JSON.readTree(r.body());
  }

  @Test
  void framesReadAsJsonMessagesWithEntryIdOffsets() {
    var a = start();
    var first = ds.attempts.append(a.handle(), Frame.of("log", "hello"));
    ds.attempts.append(a.handle(), Frame.of("blob", new byte[] {(byte) 0xff, 0}).withCorrelationId("c1"));

    var all = ds.get(a.path());
    assertThat(all.status()).isEqualTo(200);
    assertThat(header(all, "Content-Type")).isEqualTo("application/json");
    assertThat(header(all, "Stream-Up-To-Date")).isEqualTo("true");
    var messages = json(all);
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0).get("id").asString()).isEqualTo(first.id().toString());
    assertThat(messages.get(0).get("frame_type").asString()).isEqualTo("log");
    assertThat(messages.get(0).get("payload").asString()).isEqualTo("hello");
    assertThat(messages.get(1).get("encoding").asString()).isEqualTo("base64");
    assertThat(messages.get(1).get("payload").asString()).isEqualTo("/wA=");
    assertThat(messages.get(1).get("correlation_id").asString()).isEqualTo("c1");

    var afterFirst = String.format("%016d_%016d", first.id().ms(), first.id().seq());
    assertThat(json(ds.get(a.path() + "?offset=" + afterFirst))).hasSize(1);
    var now = ds.get(a.path() + "?offset=now");
    assertThat(text(now)).isEqualTo("[]");
    assertThat(header(now, "Stream-Next-Offset")).isEqualTo(header(all, "Stream-Next-Offset"));
    assertThat(header(ds.head(a.path()), "Stream-Next-Offset")).isEqualTo(header(all, "Stream-Next-Offset"));
    var escaped = a.path().replace("{", "%7B").replace("}", "%7d");
    assertThat(ds.get(escaped).body()).isEqualTo(all.body());
  }

  @Test
  void anAttemptThatWasNeverStartedIsNotAStream() {
    var eid = ExecutionId.random(7);
    var path = "/v1/stream/executions/" + eid + "/attempts/0";
    assertThat(ds.get(path).status()).isEqualTo(404);
    assertThat(ds.head(path).status()).isEqualTo(404);
    assertThat(ds.get(path + "?offset=now&live=long-poll").status()).isEqualTo(404);

    var a = start();
    var started = ds.get(a.path());
    assertThat(started.status()).isEqualTo(200);
    assertThat(text(started)).isEqualTo("[]");
    assertThat(header(started, "Stream-Next-Offset"))
        .isEqualTo("0000000000000000_0000000000000000");
  }

  @Test
  void writesAreRefusedWithAPointerToTheLease() {
    var a = start();
    var post = ds.post(a.path(), "application/json", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(header(post, "Allow")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(text(post)).contains("/v1/executions/{id}/attempts/{idx}/stream");
    assertThat(ds.delete(a.path()).status()).isEqualTo(405);
    assertThat(ds.get("/v1/stream/executions/not-an-id/attempts/0").status()).isEqualTo(400);
    assertThat(ds.get("/v1/stream/executions/x").status()).isEqualTo(404);
  }

  @Test
  void aClosedAttemptIsAClosedStreamAndSseEndsThere() throws Exception {
    var a = start();
    ds.attempts.append(a.handle(), Frame.of("log", "one"));
    var streaming = (HttpResponse.Streaming) ds.call("GET", a.path() + "?offset=-1&live=sse", (String) null);
    var events = new ConcurrentLinkedQueue<String>();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var session = exec.submit(() -> {
        streaming.body().writeTo(chunk -> events.add(new String(chunk, UTF_8)));
        return null;
      });
      Thread.sleep(100);
      ds.attempts.append(a.handle(), Frame.of("log", "two"));
      ds.attempts.closeAttempt(a.handle(), CloseReason.ATTEMPT_SUCCESS);
      session.get(5, TimeUnit.SECONDS);
    }
    var all = String.join("", events);
    assertThat(all).contains("\"payload\":\"one\"").contains("\"payload\":\"two\"");
    assertThat(all).endsWith("\"streamClosed\":true}\n\n");

    var read = ds.get(a.path());
    assertThat(header(read, "Stream-Closed")).isEqualTo("true");
    var tail = header(read, "Stream-Next-Offset");
    var longPoll = ds.get(a.path() + "?offset=" + tail + "&live=long-poll");
    assertThat(longPoll.status()).isEqualTo(204);
    assertThat(header(longPoll, "Stream-Closed")).isEqualTo("true");
  }

  @Test
  void longPollWakesOnAnAppendThroughTheLease() throws Exception {
    var a = start();
    var patient =
        new DurableStreamsHandler(
            new PostgresNamedStreamStore(ds.db),
            ds.attempts,
            DurableStreamsConfig.withLongPollTimeout(Duration.ofSeconds(10)));
    var request = new HttpRequest("GET", a.path(), "offset=-1&live=long-poll", null, null);
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var waiting = exec.submit(() -> DsFixture.full(patient.handle(request)));
      Thread.sleep(100);
      ds.attempts.append(a.handle(), Frame.of("log", "late"));
      var r = waiting.get(5, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(json(r).get(0).get("payload").asString()).isEqualTo("late");
      assertThat(header(r, "Stream-Cursor")).matches("\\d+");
    }
  }

  @Test
  void summaryFramesCarryTheirPatchAsAJsonValueOtherFramesAsText() throws Exception {
    var a = start();
    var patch = "{\"progress\":{\"pct\":2.50,\"big\":12345678901234567890},\"done\":false,\"note\":\"__ff_null__\"}";
    ds.attempts.append(a.handle(), Frame.of("progress", patch).withMode(StreamMode.durableSummary()));
    ds.attempts.append(a.handle(), Frame.of("log", "{\"looks\":\"like json\"}"));
    ds.attempts.append(a.handle(), Frame.of("tok", "{\"t\":1}").withMode(StreamMode.bestEffortLive(60_000)));

    var read = ds.get(a.path());
    var text = text(read);
    // the patch is embedded as written: an object, numbers exactly as sent, not a quoted string
    assertThat(text).contains("\"payload\":" + patch);
    var messages = json(read);
    assertThat(messages.get(0).get("mode").asString()).isEqualTo("summary");
    assertThat(messages.get(0).get("payload").isObject()).isTrue();
    assertThat(messages.get(0).get("payload").get("progress").get("pct").decimalValue())
        .isEqualByComparingTo("2.50");
    assertThat(messages.get(0).get("summary_version").asLong()).isEqualTo(1);
    assertThat(messages.get(1).get("payload").isString()).isTrue();
    assertThat(messages.get(2).get("payload").isString()).isTrue();

    // SSE data events carry the same messages
    var streaming = (HttpResponse.Streaming) ds.call("GET", a.path() + "?offset=-1&live=sse", (String) null);
    ds.attempts.closeAttempt(a.handle(), CloseReason.ATTEMPT_SUCCESS);
    var events = new StringBuilder();
    streaming.body().writeTo(chunk -> events.append(new String(chunk, UTF_8)));
    assertThat(events.toString()).contains("\"payload\":" + patch);
  }
}
