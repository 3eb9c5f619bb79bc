package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.header;
import static io.tributary.protocol.ds.DsFixture.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.EntryId;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.postgres.StoreConfig;
import io.tributary.api.StreamMode;
import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads of an attempt stream through Durable Streams once retention has trimmed it: a store that
 * keeps 5 durable and 2 summary frames per stream.
 */
class AttemptStreamRetentionTest {
  private static final int DURABLE_CAP = 5;
  private static final String ZERO = "0000000000000000_0000000000000000";
  private static final JsonMapper JSON = JsonMapper.shared();

  private static Database db;
  private static PostgresStreamStore attempts;
  private static DurableStreamsHandler handler;

  @BeforeAll
  static void open() {
    var url = EmbeddedPostgres.createDatabase("ds_retention");
    db =
        Database.open(
            StoreConfig.builder(url).user("postgres").poolSize(4)
                .durableRetention(DURABLE_CAP).summaryRetention(2).build());
    attempts = new PostgresStreamStore(db);
    handler = new DurableStreamsHandler(new PostgresNamedStreamStore(db), attempts, DsFixture.CONFIG);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private record Attempt(String path, Handle handle) {}

  private static Attempt start() {
    var eid = ExecutionId.random(3);
    return new Attempt("/v1/stream/executions/" + eid + "/attempts/0", attempts.startAttempt(eid, Duration.ofMinutes(1)));
  }

  private static List<EntryId> appendDurable(Attempt a, int n) {
    var ids = new ArrayList<EntryId>();
    for (int i = 0; i < n; i++) {
      ids.add(attempts.append(a.handle(), Frame.of("log", "line " + i)).id());
    }
    return ids;
  }

  private static HttpResponse call(String path, String query) {
    return handler.handle(new HttpRequest("GET", path, query, new HttpHeaders(), null));
  }

  private static HttpResponse.Full get(String path, String query) {
    return DsFixture.full(call(path, query));
  }

  private static String offset(EntryId id) {
    return AttemptStreamEndpoint.offset(id);
  }

  private static List<String> ids(HttpResponse.Full r) {
    var out = new ArrayList<String>();
    for (JsonNode m : JSON.readTree(r.body())) {
      out.add(m.get("id").asString());
    }
    return out;
  }

  private static void assertGone(HttpResponse.Full r, EntryId earliest) {
    assertThat(r.status()).isEqualTo(410);
    assertThat(header(r, "Stream-Earliest-Offset")).isEqualTo(offset(earliest));
    var error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("code").asString()).isEqualTo("OFFSET_GONE");
    assertThat(error.get("earliestOffset").asString()).isEqualTo(offset(earliest));
    assertThat(error.get("message").asString()).contains(offset(earliest));
    assertThat(header(r, "Cache-Control")).isEqualTo("no-store");
    assertThat(header(r, "Access-Control-Expose-Headers")).contains("Stream-Earliest-Offset");
  }

  @Test
  void aReadFromAnOffsetRetentionDroppedAnswers410WithTheEarliestOffsetKept() {
    var a = start();
    var ids = appendDurable(a, 12);
    var watermark = ids.get(12 - DURABLE_CAP - 1); // the newest frame the cap deleted
    var kept = ids.subList(12 - DURABLE_CAP, 12).stream().map(EntryId::toString).toList();

    assertGone(get(a.path(), "offset=" + ZERO), watermark);
    assertGone(get(a.path(), "offset=" + offset(ids.get(2))), watermark);
    assertGone(get(a.path(), "offset=" + offset(ids.get(2)) + "&live=long-poll"), watermark);
    assertGone(get(a.path(), "offset=" + offset(ids.get(2)) + "&live=sse"), watermark);

    // the earliest offset kept reads every kept frame; later offsets read as before
    var fromEarliest = get(a.path(), "offset=" + offset(watermark));
    assertThat(fromEarliest.status()).isEqualTo(200);
    assertThat(ids(fromEarliest)).isEqualTo(kept);
    assertThat(ids(get(a.path(), "offset=" + offset(ids.get(9))))).isEqualTo(kept.subList(3, 5));

    // -1 means the start of what is kept: no 410, and the same frames as from the earliest offset
    var fromStart = get(a.path(), "offset=-1");
    assertThat(fromStart.status()).isEqualTo(200);
    assertThat(ids(fromStart)).isEqualTo(kept);
    assertThat(header(fromStart, "Stream-Next-Offset")).isEqualTo(offset(ids.getLast()));
    assertThat(ids(get(a.path(), ""))).isEqualTo(kept);
    var sse = (HttpResponse.Streaming) call(a.path(), "offset=-1&live=sse");
    assertThat(sse.status()).isEqualTo(200);
  }

  @Test
  void namedStreamsAreNotTrimmedByTheAttemptCaps() {
    String path = "/v1/stream/retention-named-" + System.nanoTime();
    var create = handler.handle(new HttpRequest("PUT", path, "", HttpHeaders.of("Content-Type", "text/plain"), null));
    assertThat(create.status()).isEqualTo(201);
    var expected = new StringBuilder();
    for (int i = 0; i < 3 * DURABLE_CAP; i++) {
      var body = ("m" + i + ";").getBytes(UTF_8);
      var post = handler.handle(new HttpRequest("POST", path, "", HttpHeaders.of("Content-Type", "text/plain"), body));
      assertThat(post.status()).isEqualTo(204);
      expected.append("m").append(i).append(';');
    }
    // a named stream keeps every byte until it is deleted or expires: its offsets never go
    var r = get(path, "offset=" + ZERO);
    assertThat(r.status()).isEqualTo(200);
    assertThat(text(r)).isEqualTo(expected.toString());
  }

  @Test
  void summaryTrimsDoNotMakeOffsetsGone() {
    var a = start();
    for (int i = 0; i < 4; i++) {
      attempts.append(a.handle(), Frame.of("progress", "{\"step\":" + i + "}").withMode(StreamMode.durableSummary()));
    }
    // two summary frames are kept, the summary document holds all four patches: not a gap
    var r = get(a.path(), "offset=" + ZERO);
    assertThat(r.status()).isEqualTo(200);
    assertThat(JSON.readTree(r.body())).hasSize(2);
    assertThat(text(r)).contains("{\"step\":3}");
  }

  @Test
  void anSseReaderLappedByTheCapNeverSkipsFrames() throws Exception {
    var a = start();
    var ids = appendDurable(a, 3);
    var streaming = (HttpResponse.Streaming) call(a.path(), "offset=" + offset(ids.getLast()) + "&live=sse");
    var firstWrite = new CountDownLatch(1);
    var appended = new CountDownLatch(1);
    var events = new StringBuilder();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var session =
          exec.submit(
              () -> {
                streaming.body().writeTo(
                    chunk -> {
                      synchronized (events) {
                        events.append(new String(chunk, UTF_8));
                      }
                      firstWrite.countDown();
                      try {
                        // hold the reader at its first event until the writer has lapped it
                        appended.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
                return null;
              });
      assertThat(firstWrite.await(5, TimeUnit.SECONDS)).isTrue();
      var later = appendDurable(a, DURABLE_CAP + 3);
      appended.countDown();
      // the session ends (overtaken, or at sseMaxDuration, 5 s) having skipped nothing
      session.get(10, TimeUnit.SECONDS);
      List<String> delivered = new ArrayList<>();
      synchronized (events) {
        var m = java.util.regex.Pattern.compile("\"id\":\"(\\d+-\\d+)\"").matcher(events);
        while (m.find()) {
          delivered.add(m.group(1));
        }
        assertThat(events.toString()).doesNotContain("streamClosed");
      }
      var all = later.stream().map(EntryId::toString).toList();
      if (delivered.isEmpty()) {
        // overtaken before its stream's shared read kept the frames: told where to resume
        assertGone(get(a.path(), "offset=" + offset(ids.getLast()) + "&live=sse"), later.get(2));
      } else {
        // the stream's shared read kept (some of) the frames: those, in order, no gap
        assertThat(delivered).isEqualTo(all.subList(0, Math.min(all.size(), delivered.size())));
        if (delivered.size() < all.size()) {
          // lapped partway: ended, and a reconnect from its last frame is told where to resume
          var last = later.get(delivered.size() - 1);
          assertThat(get(a.path(), "offset=" + offset(last) + "&live=sse").status()).isEqualTo(410);
        }
      }
    }
  }
}
