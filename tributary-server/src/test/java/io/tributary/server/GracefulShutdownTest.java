package io.tributary.server;

import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Shutdown with real readers connected: every kind of parked reader gets a complete, well-formed
 * answer at once (REST tail: empty frames; long-poll: 204; SSE: a final control event, then a
 * properly terminated body), appends acknowledged before the shutdown stay, and the server is
 * gone within its drain timeout.
 */
class GracefulShutdownTest {
  private static final Duration DRAIN = Duration.ofSeconds(5);
  private static final Pattern GAUGE =
      Pattern.compile("(?m)^(tributary_live_readers|tributary_stream_ops_in_use)(?:\\{[^}]*})? (\\S+)$");

  @Test
  void parkedReadersOfEveryKindAnswerAtOnceAndCleanly() throws Exception {
    var server = start("shutdown_kinds");
    String id;
    try {
      var attempt = TestServers.startAttempt(server);
      id = attempt.get("execution_id").asString();
      assertThat(TestServers.append(server, attempt, "frame_type=log", "before".getBytes()).statusCode()).isEqualTo(200);
      String named = "/v1/stream/shutdown-" + System.nanoTime();
      assertThat(send(request(server, named).header("Content-Type", "text/plain")
          .PUT(BodyPublishers.ofString("x")).build()).statusCode()).isEqualTo(201);

      var client = HttpClient.newHttpClient();
      var tail = client.sendAsync(request(server, attemptPath(id, 0) + "/stream/tail?after=" + lastId(server, id)
          + "&block_ms=30000").build(), BodyHandlers.ofString());
      var longPoll = client.sendAsync(request(server, named + "?offset=now&live=long-poll").build(), BodyHandlers.ofString());
      var attemptSse = client.sendAsync(request(server, "/v1/stream/executions/" + enc(id) + "/attempts/0?offset=-1&live=sse").build(),
          BodyHandlers.ofString());
      var namedSse = client.sendAsync(request(server, named + "?offset=-1&live=sse").build(), BodyHandlers.ofString());
      awaitGauges(server, 3, 1);

      long closing = System.nanoTime();
      var closed = CompletableFuture.runAsync(server::close);

      var tailAnswer = tail.get(DRAIN.toSeconds(), TimeUnit.SECONDS);
      assertThat(tailAnswer.statusCode()).isEqualTo(200);
      assertThat(json(tailAnswer).get("frames").size()).isZero();
      assertThat(longPoll.get(DRAIN.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(204);
      for (var sse : List.of(attemptSse, namedSse)) {
        // ofString completes only for a properly terminated body; a cut connection fails it
        var body = sse.get(DRAIN.toSeconds(), TimeUnit.SECONDS).body();
        assertThat(lastEvent(body)).startsWith("event: control\ndata:").contains("streamNextOffset");
      }
      closed.get(DRAIN.toSeconds() + 5, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(DRAIN.plusSeconds(5));
    } finally {
      server.close();
    }
    // the acknowledged append is still there for the next server on the same database
    var next = TestServers.start(database("shutdown_kinds"), b -> b);
    try {
      var frames = json(send(request(next, attemptPath(id, 0) + "/stream").build())).get("frames");
      assertThat(frames.size()).isEqualTo(1);
      assertThat(frames.get(0).get("fields").get("payload").asString()).isEqualTo("before");
    } finally {
      next.close();
    }
  }

  @Test
  void aThousandSseReadersAllGetAFinalControlEventAndACompleteBody() throws Exception {
    var server = start("shutdown_many");
    try {
      var attempt = TestServers.startAttempt(server);
      String path = "/v1/stream/executions/" + enc(attempt.get("execution_id").asString()) + "/attempts/0?offset=-1&live=sse";
      var client = HttpClient.newHttpClient();
      var readers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
      int n = 1_000;
      for (int i = 0; i < n; i++) {
        readers.add(client.sendAsync(request(server, path).build(), BodyHandlers.ofString()));
      }
      awaitGauges(server, n, 0);
      server.close();
      var unclean = new ArrayList<String>();
      for (var reader : readers) {
        var response = reader.get(DRAIN.toSeconds(), TimeUnit.SECONDS);
        if (!lastEvent(response.body()).startsWith("event: control\ndata:")) {
          unclean.add(response.statusCode() + " " + response.body());
        }
      }
      assertThat(unclean).as("answers that did not end in a control event").isEmpty();
    } finally {
      server.close();
    }
  }

  /**
   * A follower whose SSE response ended with the shutdown's control event reconnects at once,
   * usually to the same server, which is still draining: it must get something to retry (a 200
   * that ends in a control event, a 503, or a refused connection), never a 500, which a client
   * must not retry.
   */
  @Test
  void readersReconnectingDuringShutdownAreNeverAnswered500() throws Exception {
    var server = TestServers.start(database("shutdown_reconnect"), b -> b.poolSize(4).drainTimeout(Duration.ofSeconds(2)));
    int port = server.port();
    var answers = new java.util.concurrent.ConcurrentLinkedQueue<String>();
    var threads = new ArrayList<Thread>();
    var writing = new java.util.concurrent.atomic.AtomicBoolean(true);
    // frames keep coming through another server, so the reconnecting readers have data to send
    try (var other = start("shutdown_reconnect")) {
      var attempt = TestServers.startAttempt(other);
      var writer = Thread.ofPlatform().start(() -> {
        for (int i = 0; writing.get() && i < 2_000; i++) {
          try {
            TestServers.append(other, attempt, "frame_type=log", ("frame " + i).getBytes());
          } catch (Exception e) {
            return;
          }
        }
      });
      String path = "/v1/stream/executions/" + enc(attempt.get("execution_id").asString()) + "/attempts/0?offset=-1&live=sse";
      for (int t = 0; t < 8; t++) {
        threads.add(Thread.ofPlatform().start(() -> reconnectUntilRefused(port, path, answers)));
      }
      Thread.sleep(500);
      server.close();
      for (var thread : threads) {
        thread.join(Duration.ofSeconds(20));
      }
      writing.set(false);
      writer.join(Duration.ofSeconds(20));
    } finally {
      server.close();
    }
    assertThat(answers).as("status lines answered while shutting down").isNotEmpty()
        .allSatisfy(a -> assertThat(a).matches("HTTP/1\\.1 (200|503) .*"));
  }

  /** Opens SSE requests one after another until the connection is refused; records each status line. */
  private static void reconnectUntilRefused(int port, String path, java.util.Queue<String> answers) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end) {
      try (var socket = new java.net.Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        String status = in.readLine();
        if (status != null) {
          answers.add(status);
          if (!status.contains(" 200 ")) {
            answers.add(status + " " + in.lines().reduce("", String::concat));
          }
        }
        // an SSE answer: read until the server ends it (at the drain) or the socket times out
        while (in.readLine() != null) {
          // drain
        }
      } catch (java.net.ConnectException e) {
        return;
      } catch (java.io.IOException e) {
        // a reset connection is something to retry as well
      }
    }
  }

  private static final java.util.Map<String, String> DATABASES = new java.util.concurrent.ConcurrentHashMap<>();

  private static String database(String name) {
    return DATABASES.computeIfAbsent(name, TestServers::newDatabase);
  }

  private static TributaryServer start(String db) {
    // a thousand readers' first reads queue for 4 connections: on a busy machine that can take
    // longer than the default database timeout, which would answer some of them 503
    return TestServers.start(database(db), b -> b.poolSize(4).drainTimeout(DRAIN)
        .longPollTimeout(Duration.ofSeconds(30)).dbTimeout(Duration.ofSeconds(30)));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String lastId(TributaryServer server, String id) throws Exception {
    var read = send(request(server, attemptPath(id, 0) + "/stream").build());
    var frames = json(read).get("frames");
    return frames.get(frames.size() - 1).get("id").asString();
  }

  private static String lastEvent(String body) {
    var events = body.strip().split("\n\n");
    return events[events.length - 1];
  }

  private static void awaitGauges(TributaryServer server, int liveReaders, int streamOps) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
      var body = send(request(server, "/metrics").build()).body();
      double live = -1;
      double ops = -1;
      Matcher m = GAUGE.matcher(body);
      while (m.find()) {
        if (m.group(1).equals("tributary_live_readers")) {
          live = Double.parseDouble(m.group(2));
        } else {
          ops = Double.parseDouble(m.group(2));
        }
      }
      return live == liveReaders && ops == streamOps;
    });
  }
}
