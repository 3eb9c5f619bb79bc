package io.tributary.protocol.rest;

import static io.tributary.protocol.rest.RestCalls.attemptPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** FlowFabric spec §4: parameters, defaults, limits, check order and the 400s of read and tail. */
class StreamQueryValidationTest {
  private static PostgresStreamStore store;
  private static RestCalls rest;

  @BeforeAll
  static void open() {
    var url = EmbeddedPostgres.createDatabase("rest_query");
    store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build());
    rest = new RestCalls(new FlowFabricRestHandler(store, RestConfig.defaults()));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static final String STREAM = attemptPath(ExecutionId.random(7), 0) + "/stream";
  private static final String TAIL = STREAM + "/tail";

  @ParameterizedTest(name = "read ?{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "limit=0              | limit must be >= 1",
        "limit=1001           | limit exceeds REST ceiling 1000; paginate via from/to for larger spans",
        "limit=abc            | limit: expected a non-negative integer, got 'abc'",
        "limit=-1             | limit: expected a non-negative integer, got '-1'",
        "limit=1&limit=2      | duplicate query parameter 'limit'",
        "from=abc             | from: malformed cursor 'abc': expected start, end, <ms> or <ms>-<seq>",
        "from=-               | from: bare '-' is not accepted; use 'start' or 'end'",
        "to=%2B               | to: bare '+' is not accepted; use 'start' or 'end'",
        "to=1-2-3             | to: malformed cursor '1-2-3': expected start, end, <ms> or <ms>-<seq>",
        "from=                | from: cursor is empty",
        "from=Start           | from: malformed cursor 'Start': expected start, end, <ms> or <ms>-<seq>",
      })
  void readRejects(String query, String message) {
    var reply = rest.get(STREAM, query);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo(message);
    assertThat(reply.json().get("retryable").asBoolean()).isFalse();
  }

  @ParameterizedTest(name = "tail ?{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "block_ms=30001       | block_ms exceeds 30000ms ceiling",
        "limit=0              | limit must be >= 1",
        "limit=1001           | limit exceeds REST ceiling 1000; paginate via after for larger spans",
        "after=start          | after: XREAD cursor must be a concrete entry id; pass '0-0' to start from the beginning",
        "after=end            | after: XREAD cursor must be a concrete entry id; pass '0-0' to start from the beginning",
        "after=abc            | after: malformed cursor 'abc': expected start, end, <ms> or <ms>-<seq>",
        "after=-              | after: bare '-' is not accepted; use 'start' or 'end'",
        "block_ms=1.5         | block_ms: expected a non-negative integer, got '1.5'",
      })
  void tailRejects(String query, String message) {
    var reply = rest.get(TAIL, query);
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo(message);
  }

  @Test
  void malformedCursorKindIsTheStoreCode() {
    assertThat(rest.get(TAIL, "after=1-").kind()).isEqualTo("malformed_cursor");
    assertThat(rest.get(STREAM, "from=%2B").kind()).isEqualTo("bare_marker_rejected");
    assertThat(rest.get(STREAM, "limit=0").kind()).isEqualTo("invalid_input");
  }

  @Test
  void tailChecksInTheReferenceOrder() {
    String badId = "/v1/executions/not-an-id/attempts/0/stream/tail";
    assertThat(rest.get(badId, "block_ms=30001&limit=0&after=start").error())
        .startsWith("block_ms exceeds");
    assertThat(rest.get(badId, "limit=0&after=start").error()).isEqualTo("limit must be >= 1");
    assertThat(rest.get(badId, "limit=1001&after=start").error()).startsWith("limit exceeds");
    assertThat(rest.get(badId, "after=start").error()).startsWith("after: XREAD cursor");
    var idError = rest.get(badId, "");
    assertThat(idError.status()).isEqualTo(400);
    assertThat(idError.error()).startsWith("invalid execution_id: ");
    assertThat(idError.kind()).isEqualTo("invalid_execution_id");
  }

  @Test
  void readChecksLimitBeforeTheExecutionId() {
    String badId = "/v1/executions/{fp:1}:nope/attempts/0/stream";
    assertThat(rest.get(badId, "limit=0").error()).isEqualTo("limit must be >= 1");
    assertThat(rest.get(badId, "").error()).startsWith("invalid execution_id: ");
  }

  @ParameterizedTest
  @CsvSource({"x", "-1", "4294967296", "1.0"})
  void attemptIndexMustBeAU32(String index) {
    var id = ExecutionId.random(1);
    var reply = rest.get("/v1/executions/" + id + "/attempts/" + index + "/stream", "");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("invalid attempt index '" + index + "': expected a u32");
  }

  @Test
  void unknownExecutionReadsAsAnEmptyOpenStream() {
    var reply = rest.get(STREAM, "");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().toString()).isEqualTo("{\"frames\":[],\"count\":0}");
    assertThat(rest.get(TAIL, "").json().toString()).isEqualTo("{\"frames\":[],\"count\":0}");
  }

  @Test
  void readDefaultsToStartEndAnd100TailTo00And50() {
    var id = ExecutionId.random(3);
    var handle = store.startAttempt(id, Duration.ofMinutes(1));
    for (int i = 0; i < 101; i++) {
      store.append(handle, Frame.of("log", "line " + i));
    }
    var stream = attemptPath(id, 0) + "/stream";

    var read = rest.get(stream, "").json();
    assertThat(read.get("count").asInt()).isEqualTo(100);
    assertThat(read.get("frames")).hasSize(100);
    assertThat(read.get("frames").get(0).get("fields").get("payload").asString()).isEqualTo("line 0");
    assertThat(rest.get(stream, "limit=1000").json().get("count").asInt()).isEqualTo(101);

    var tail = rest.get(stream + "/tail", "").json();
    assertThat(tail.get("count").asInt()).isEqualTo(50);
    assertThat(tail.get("frames").get(0).get("fields").get("payload").asString()).isEqualTo("line 0");

    String lastId = read.get("frames").get(99).get("id").asString();
    var rest100 = rest.get(stream + "/tail", "after=" + lastId).json();
    assertThat(rest100.get("count").asInt()).isEqualTo(1);
    assertThat(rest100.get("frames").get(0).get("fields").get("payload").asString())
        .isEqualTo("line 100");
  }

  @Test
  void framesCarrySortedFieldsAndIds() {
    var id = ExecutionId.random(4);
    var handle = store.startAttempt(id, Duration.ofMinutes(1));
    store.append(handle, Frame.of("log", "hello").withCorrelationId("c-1"));
    var frame = rest.get(attemptPath(id, 0) + "/stream", "").json().get("frames").get(0);
    assertThat(frame.get("id").asString()).matches("\\d+-\\d+");
    assertThat(frame.get("fields").propertyNames())
        .containsExactly("correlation_id", "encoding", "frame_type", "mode", "payload", "source", "ts");
    assertThat(frame.get("fields").get("mode").asString()).isEqualTo("durable");
    assertThat(frame.get("fields").get("source").asString()).isEqualTo("worker");
  }
}
