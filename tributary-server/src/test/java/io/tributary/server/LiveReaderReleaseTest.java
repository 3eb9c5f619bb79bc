package io.tributary.server;

import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SSE readers whose clients went away are released at once, not at their next keep-alive (15 s)
 * or the end of their response (60 s).
 */
class LiveReaderReleaseTest {
  private static final Pattern LIVE = Pattern.compile("(?m)^tributary_live_readers(?:\\{[^}]*})? (\\S+)$");

  @Test
  void sseReadersOfGoneClientsAreReleasedPromptly() throws Exception {
    try (var server = TestServers.start(TestServers.newDatabase("live_release"), b -> b)) {
      String named = "/v1/stream/release-" + System.nanoTime();
      assertThat(send(request(server, named).header("Content-Type", "text/plain").PUT(BodyPublishers.ofString("x")).build())
          .statusCode()).isEqualTo(201);
      var attempt = TestServers.startAttempt(server);
      String attemptStream = "/v1/stream/executions/" + java.net.URLEncoder.encode(attempt.get("execution_id").asString(), StandardCharsets.UTF_8)
          + "/attempts/0";
      var sockets = new ArrayList<Socket>();
      for (int i = 0; i < 20; i++) {
        sockets.add(sse(server, (i % 2 == 0 ? named : attemptStream) + "?offset=now&live=sse"));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> liveReaders(server) == 20);
      for (var s : sockets) {
        s.close();
      }
      // well under the 15 s keep-alive: the close itself must end the parked readers
      await().atMost(Duration.ofSeconds(5)).until(() -> liveReaders(server) == 0);
    }
  }

  /** Opens an SSE read and waits until its first control event (the reader is parked then). */
  private static Socket sse(TributaryServer server, String target) throws Exception {
    var s = new Socket("127.0.0.1", server.port());
    s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    var in = s.getInputStream();
    var seen = new StringBuilder();
    var buf = new byte[4096];
    while (!seen.toString().contains("upToDate")) {
      int n = in.read(buf);
      if (n < 0) {
        throw new AssertionError("closed before the first control event: " + seen);
      }
      seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return s;
  }

  private static int liveReaders(TributaryServer server) throws Exception {
    var m = LIVE.matcher(send(request(server, "/metrics").build()).body());
    return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
  }
}
