package io.tributary.server;

import static io.tributary.server.TestServers.append;
import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static io.tributary.server.TestServers.startAttempt;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two servers, each with its own pool and LISTEN connection, on one database: state is only in
 * PostgreSQL, so either serves every stream and a tail on one wakes on an append through the other.
 */
class TwoServersOneDatabaseTest {
  private static TributaryServer a;
  private static TributaryServer b;

  @BeforeAll
  static void start() {
    String url = TestServers.newDatabase("two_servers");
    a = TestServers.start(url, c -> c.longPollTimeout(Duration.ofSeconds(20)));
    b = TestServers.start(url, c -> c.longPollTimeout(Duration.ofSeconds(20)));
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
  }

  @Test
  void tailOnOneServerIsWokenByAnAppendThroughTheOther() throws Exception {
    var attempt = startAttempt(a);
    String stream = attemptPath(attempt.get("execution_id").asString(), 0) + "/stream";
    var tail = TestServers.CLIENT.sendAsync(
        request(a, stream + "/tail?after=0-0&block_ms=20000").build(), BodyHandlers.ofString());

    var appended = append(b, attempt, "frame_type=log", "from b".getBytes(StandardCharsets.UTF_8));
    assertThat(appended.statusCode()).isEqualTo(200);

    var frames = json(tail.get()).get("frames");
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0).get("fields").get("payload").asString()).isEqualTo("from b");
  }

  @Test
  void aHandleFromOneServerIsFencedOnTheOther() throws Exception {
    var attempt = startAttempt(a);
    String id = attempt.get("execution_id").asString();
    var reclaimed = send(request(b, "/v1/executions/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8) + "/reclaim")
        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
    assertThat(reclaimed.statusCode()).isEqualTo(200);

    var stale = append(a, attempt, "", "zombie".getBytes(StandardCharsets.UTF_8));
    assertThat(stale.statusCode()).isEqualTo(409);
    var read = send(request(b, attemptPath(id, 0) + "/stream").build());
    assertThat(json(read).get("count").asInt()).isZero();
    assertThat(json(read).get("closed_reason").asString()).isEqualTo("reclaimed");
  }

  @Test
  void durableStreamsLongPollOnOneIsWokenByAnAppendThroughTheOther() throws Exception {
    String stream = "/v1/stream/two-servers-" + System.nanoTime();
    var created = send(request(a, stream).header("Content-Type", "text/plain").PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).isEqualTo(201);
    String tail = created.headers().firstValue("Stream-Next-Offset").orElseThrow();

    var poll = TestServers.CLIENT.sendAsync(
        request(a, stream + "?offset=" + tail + "&live=long-poll").build(), BodyHandlers.ofString());
    var appended = send(request(b, stream).header("Content-Type", "text/plain")
        .POST(BodyPublishers.ofString("through b")).build());
    assertThat(appended.statusCode()).isEqualTo(204);

    var woken = poll.get();
    assertThat(woken.statusCode()).isEqualTo(200);
    assertThat(woken.body()).isEqualTo("through b");
  }
}
