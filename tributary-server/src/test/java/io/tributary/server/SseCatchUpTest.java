package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An SSE reader whose catch-up ends exactly on a read-batch boundary (1000 frames of an attempt
 * stream) is still told it is up to date, at once, not only at the next append.
 */
class SseCatchUpTest {
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.newDatabase("sse_catch_up"), b -> b);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aCatchUpEndingOnABatchBoundaryIsAnnouncedUpToDate() throws Exception {
    var attempt = TestServers.startAttempt(server);
    String id = attempt.get("execution_id").asString();
    var body = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      body.append("{\"payload\":\"line ").append(i).append("\"}\n");
    }
    var appended = TestServers.send(TestServers.request(server, TestServers.attemptPath(id, 0) + "/stream/batch")
        .header("Tributary-Handle", attempt.get("handle").asString())
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    assertThat(appended.statusCode()).isEqualTo(200);

    var response = TestServers.CLIENT.send(
        TestServers.request(server,
                "/v1/stream/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts/0?offset=-1&live=sse")
            .GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      var controls = new StringBuilder();
      var upToDate = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("data:{\"streamNextOffset\"")) {
              controls.append(line).append('\n');
              if (line.contains("\"upToDate\":true")) {
                return line;
              }
            }
          }
          return null;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      // well before the keep-alive (15 s) and the response's end (60 s)
      assertThat(upToDate.get(5, TimeUnit.SECONDS)).as(controls.toString()).isNotNull();
      assertThat(controls.toString().lines()).hasSize(2);
    }
  }
}
