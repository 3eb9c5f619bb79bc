package io.tributary.protocol.rest;

import static io.tributary.protocol.rest.FlowFabricRestHandler.HANDLE_HEADER;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.AppendOutcome;
import io.tributary.api.EntryId;
import io.tributary.postgres.StoreConfig;
import io.tributary.protocol.rest.RestCalls.Started;
import io.tributary.protocol.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST …/stream/batch}: NDJSON and JSON array bodies, every item its own mode, all or
 * nothing; a bad item is answered with a 400 that names it, and nothing of the batch is stored.
 */
class BatchAppendRestTest {
  private static RestCalls rest;

  @BeforeAll
  static void open() {
    rest = RestCalls.onNewDatabase("rest_batch");
  }

  @AfterAll
  static void close() throws Exception {
    rest.close();
  }

  private static Started start() {
    return rest.start();
  }

  private static RestCalls.Reply batch(Started s, String body) {
    return rest.post(s.path() + "/stream/batch", "", body, HANDLE_HEADER, s.handle());
  }

  private static List<String> payloads(Started s) {
    var out = new ArrayList<String>();
    for (JsonNode f : rest.get(s.path() + "/stream", "").json().get("frames")) {
      out.add(f.get("fields").get("payload").asString());
    }
    return out;
  }

  @Test
  void ndjsonItemsOfEveryModeAreStoredInOrderWithOneOutcomeEach() {
    var s = start();
    var reply =
        batch(
            s,
            "{\"frame_type\":\"log\",\"payload\":\"one\"}\n"
                + "{\"mode\":\"summary\",\"payload\":{\"step\":1}}\r\n"
                + "\n"
                + "{\"mode\":\"best_effort\",\"ttl_ms\":5000,\"frame_type\":\"tok\",\"payload\":\"t\"}\n"
                + "{\"kind\":\"stdout\",\"payload\":\"dHdv\",\"encoding\":\"base64\"}");
    assertThat(reply.status()).as(reply.json().toString()).isEqualTo(200);
    assertThat(reply.json().get("count").asInt()).isEqualTo(4);
    var frames = reply.json().get("frames");
    assertThat(frames).hasSize(4);
    assertThat(frames.get(1).get("summary_version").asLong()).isEqualTo(1);
    assertThat(frames.get(3).get("frame_count").asLong()).isEqualTo(4);
    assertThat(payloads(s)).containsExactly("one", "{\"step\":1}", "t", "two");
  }

  @Test
  void aJsonArrayBodyWorksAsWell() {
    var s = start();
    var reply = batch(s, " [ {\"payload\":\"a\"}, {\"payload\":\"b\",\"frame_type\":\"log\"} ] \n");
    assertThat(reply.status()).as(reply.json().toString()).isEqualTo(200);
    assertThat(reply.json().get("count").asInt()).isEqualTo(2);
    assertThat(payloads(s)).containsExactly("a", "b");
  }

  @Test
  void malformedJsonIsA400NamingTheItemAndStoresNothing() {
    var s = start();
    var reply = batch(s, "{\"payload\":\"a\"}\n{\"payload\":\"b\"}\n{\"payload\":\"c\"\n");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).contains("item 2");
    assertThat(payloads(s)).isEmpty();

    var inArray = batch(s, "[{\"payload\":\"a\"}, {\"payload\": nope}]");
    assertThat(inArray.status()).isEqualTo(400);
    assertThat(inArray.error()).contains("item 1");
    assertThat(payloads(s)).isEmpty();
  }

  @Test
  void ndjsonTakesExactlyOneItemPerLine() {
    var s = start();
    var two = batch(s, "{\"payload\":\"a\"}\n{\"payload\":\"b\"} {\"payload\":\"c\"}\n");
    assertThat(two.status()).isEqualTo(400);
    assertThat(two.error()).contains("item 2").contains("one item per line");
    var split = batch(s, "{\"payload\":\"a\"}\n{\"payload\":\n\"b\"}\n");
    assertThat(split.status()).isEqualTo(400);
    assertThat(split.error()).contains("item 1").contains("one item per line");
    assertThat(payloads(s)).isEmpty();
  }

  @Test
  void anythingAfterTheArrayOrAScalarItemIsRefused() {
    var s = start();
    var after = batch(s, "[{\"payload\":\"a\"}] {\"payload\":\"b\"}");
    assertThat(after.status()).isEqualTo(400);
    assertThat(after.error()).contains("after the array");
    var scalar = batch(s, "{\"payload\":\"a\"}\n42\n");
    assertThat(scalar.status()).isEqualTo(400);
    assertThat(scalar.error()).contains("item 1").contains("JSON object");
    assertThat(batch(s, "").status()).isEqualTo(400);
    assertThat(batch(s, " \n ").error()).contains("at least one");
    assertThat(batch(s, "[]").error()).contains("at least one");
    assertThat(payloads(s)).isEmpty();
  }

  @Test
  void aBadItemLateInTheBatchStoresNoneOfIt() {
    var s = start();
    var body = new StringBuilder();
    for (int i = 0; i < 99; i++) {
      body.append("{\"payload\":\"f").append(i).append("\"}\n");
    }
    body.append("{\"payload\":\"x\",\"mode\":\"sideways\"}\n");
    var reply = batch(s, body.toString());
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).contains("item 99").contains("mode");
    var unknown = batch(s, "{\"payload\":\"a\"}\n{\"payload\":\"b\",\"colour\":\"red\"}");
    assertThat(unknown.error()).contains("item 1").contains("unknown field 'colour'");
    var noPayload = batch(s, "{\"payload\":\"a\"}\n{\"frame_type\":\"log\"}");
    assertThat(noPayload.error()).contains("item 1").contains("payload is required");
    assertThat(payloads(s)).isEmpty();
  }

  @Test
  void aTooLargeFrameInTheBatchStoresNoneOfIt() {
    var s = start();
    var big = "y".repeat(StoreConfig.DEFAULT_MAX_PAYLOAD_BYTES + 1);
    var reply = batch(s, "{\"payload\":\"a\"}\n{\"payload\":\"" + big + "\"}\n");
    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.error()).contains("frame 1");
    assertThat(payloads(s)).isEmpty();
  }

  @Test
  void aFencedOutHandleStoresNothing() {
    var s = start();
    assertThat(batch(s, "{\"payload\":\"before\"}").status()).isEqualTo(200);
    var reclaimed = rest.post("/v1/executions/" + s.executionId() + "/reclaim", "", (String) null);
    assertThat(reclaimed.status()).isEqualTo(200);
    var stale = batch(s, "{\"payload\":\"a\"}\n{\"payload\":\"b\"}\n");
    assertThat(stale.status()).isEqualTo(409);
    assertThat(payloads(s)).containsExactly("before");
    var fresh = new Started(s.executionId(), reclaimed.json().get("handle").asString(),
        "/v1/executions/" + s.executionId() + "/attempts/1");
    assertThat(payloads(fresh)).isEmpty();
  }

  @Test
  void theAnswerHasTheShapeOfOneOutcomePerItem() {
    var outcomes =
        List.of(
            new AppendOutcome(EntryId.parse("1764621234567-0"), 1, null, false),
            new AppendOutcome(EntryId.parse("1764621234567-1"), 2, 7L, false),
            new AppendOutcome(EntryId.parse("1764621234568-0"), 3, null, true));
    var tree = RestJson.object();
    var frames = tree.putArray("frames");
    outcomes.forEach(o -> frames.add(RestJson.appendOutcome(o)));
    tree.put("count", outcomes.size());
    var written = (HttpResponse.Full) RestJson.appendOutcomes(outcomes);
    assertThat(written.status()).isEqualTo(200);
    assertThat(new String(written.body(), StandardCharsets.UTF_8)).isEqualTo(tree.toString());
    assertThat(written.headers().first("Content-Type")).isEqualTo("application/json");
  }
}
