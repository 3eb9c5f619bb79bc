package io.tributary.server;

import static io.tributary.server.TestServers.append;
import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's sweep closes attempts whose worker vanished, so their readers stop waiting. */
class SweeperTest {
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server =
        TestServers.start(
            TestServers.newDatabase("server_sweeper"),
            b -> b.sweepInterval(Duration.ofMillis(100)).tailRecheckInterval(Duration.ofSeconds(60)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aParkedTailLearnsThatTheLeaseExpired() throws Exception {
    var minted = send(request(server, "/v1/executions").POST(BodyPublishers.noBody()).build());
    String id = json(minted).get("execution_id").asString();
    var started =
        send(
            request(server, "/v1/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts")
                .POST(BodyPublishers.ofString("{\"lease_ttl_ms\":500}"))
                .build());
    assertThat(started.statusCode()).isEqualTo(201);
    var attempt = json(started);
    assertThat(append(server, attempt, "frame_type=log", "last words".getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(200);
    String frameId = json(send(request(server, attemptPath(id, 0) + "/stream").build()))
        .get("frames").get(0).get("id").asString();

    // the worker never renews; a reader parks after its last frame with a long block
    var tail =
        TestServers.CLIENT.sendAsync(
            request(server, attemptPath(id, 0) + "/stream/tail?after=" + frameId + "&block_ms=20000").build(),
            BodyHandlers.ofString());

    var answer = tail.get(15, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    var body = json(answer);
    assertThat(body.get("frames")).isEmpty();
    assertThat(body.get("closed_reason").asString()).isEqualTo("lease_expired");
    assertThat(body.get("closed_at").asLong()).isPositive();

    // and the old handle may no longer append
    assertThat(append(server, attempt, "frame_type=log", "too late".getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(409);
  }
}
