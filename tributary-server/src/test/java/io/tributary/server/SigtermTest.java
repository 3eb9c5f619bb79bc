package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * SIGTERM to a real server process with an SSE reader, a REST tail and a long-poll connected:
 * each gets a complete answer, the process exits (status 143) within its drain timeout, and nothing is
 * logged at ERROR.
 */
class SigtermTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Test
  void sigtermAnswersEveryReaderAndExitsCleanly() throws Exception {
    String db = TestServers.newDatabase("server_sigterm");
    var server = ServeProcess.launch("sigterm",
        List.of("--db", db, "--pool-size", "4", "--drain-timeout", "5s", "--long-poll-timeout", "30s"));
    try {
      String base = server.awaitUrl();
      var minted = JsonMapper.shared().readTree(CLIENT.send(post(base + "/v1/executions", ""), BodyHandlers.ofString()).body());
      String id = URLEncoder.encode(minted.get("execution_id").asString(), StandardCharsets.UTF_8);
      var started = CLIENT.send(post(base + "/v1/executions/" + id + "/attempts", "{\"lease_ttl_ms\":60000}"), BodyHandlers.ofString());
      assertThat(started.statusCode()).isEqualTo(201);
      String named = base + "/v1/stream/sigterm-" + System.nanoTime();
      CLIENT.send(HttpRequest.newBuilder(URI.create(named)).header("Content-Type", "text/plain")
          .PUT(BodyPublishers.noBody()).build(), BodyHandlers.discarding());

      var sse = CLIENT.sendAsync(get(base + "/v1/stream/executions/" + id + "/attempts/0?offset=-1&live=sse"), BodyHandlers.ofString());
      var tail = CLIENT.sendAsync(get(base + "/v1/executions/" + id + "/attempts/0/stream/tail?after=0-0&block_ms=30000"),
          BodyHandlers.ofString());
      var longPoll = CLIENT.sendAsync(get(named + "?offset=now&live=long-poll"), BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        String metrics = CLIENT.send(get(base + "/metrics"), BodyHandlers.ofString()).body();
        return metrics.contains("tributary_live_readers 2.0") && metrics.contains("tributary_stream_ops_in_use 1.0");
      });

      server.sigterm();
      int exit = server.awaitExit(Duration.ofSeconds(15));

      // 143 = 128 + SIGTERM: what every JVM reports after its shutdown hooks ran (-1: still running)
      assertThat(exit).as(server.stderr()).isEqualTo(143);
      var sseBody = sse.get(5, TimeUnit.SECONDS).body();
      assertThat(sseBody.strip()).contains("event: control").endsWith("}");
      assertThat(tail.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(longPoll.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
      assertThat(server.stderr()).doesNotContain(" ERROR ").doesNotContain("Exception");
    } finally {
      server.stop();
    }
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40)).build();
  }

  private static HttpRequest post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).POST(BodyPublishers.ofString(body)).build();
  }
}
