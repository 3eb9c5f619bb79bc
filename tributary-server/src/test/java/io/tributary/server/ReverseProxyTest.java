package io.tributary.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real reverse proxies in front of a real server: Debian's nginx with nothing but {@code
 * proxy_pass} (so it speaks HTTP/1.0 to the server and buffers by default), Caddy with a bare
 * {@code reverse_proxy}, HAProxy with the timeouts docs/proxies.md gives. A worker appends
 * through the proxy while one reader follows the attempt stream over SSE and another over
 * long-poll, both through the proxy, until the attempt closes: each must see every frame once, in
 * order, and the close.
 *
 * <p>Needs the proxies ({@code .ci/run} installs the missing ones). nginx is required under CI
 * ({@code CI} set, as {@code .ci/run} does): without it the nginx cases fail. Elsewhere, and for
 * HAProxy and Caddy everywhere, a missing proxy skips its cases with a message saying so.
 */
class ReverseProxyTest {
  private static final JsonMapper JSON = JsonMapper.shared();
  private static final int FRAMES = 40;

  private static TributaryServer server;
  private ReverseProxy proxy;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.newDatabase("server_proxies"), b -> b);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void stopProxy() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
  }

  /** Starts the proxy in front of the server, or fails (CI) or skips (elsewhere) when it is missing. */
  private void startProxy(ReverseProxy.Kind kind) throws Exception {
    Path binary = kind.binary().orElse(null);
    if (binary == null) {
      String why = kind.binaryName() + " is not installed (apt-get install -y " + kind.binaryName()
          + "; .ci/run does it)";
      String ci = System.getenv("CI");
      boolean underCi = ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
      if (underCi && kind == ReverseProxy.Kind.NGINX) {
        fail("CI is set but " + why + ": the reverse-proxy test cannot run");
      }
      Assumptions.abort("SKIPPED, not passed: " + why);
    }
    proxy = ReverseProxy.start(kind, binary, server.port());
  }

  private HttpRequest.Builder via(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(proxy.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  private static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  /** What a follower saw: message ids in arrival order, and whether it saw the close. */
  private record Followed(List<String> ids, List<JsonNode> messages, boolean closed) {}

  @ParameterizedTest
  @EnumSource(ReverseProxy.Kind.class)
  void sseAndLongPollFollowAnAttemptStreamThroughTheProxyUntilItCloses(ReverseProxy.Kind kind) throws Exception {
    startProxy(kind);
    var minted = TestServers.send(via("/v1/executions").POST(BodyPublishers.noBody()).build());
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    String id = json(minted).get("execution_id").asString();
    String eid = URLEncoder.encode(id, UTF_8);
    var started =
        TestServers.send(
            via("/v1/executions/" + eid + "/attempts")
                .POST(BodyPublishers.ofString("{\"lease_ttl_ms\":60000}"))
                .build());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String handle = json(started).get("handle").asString();
    String attempt = "/v1/executions/" + eid + "/attempts/0";
    String stream = "/v1/stream/executions/" + eid + "/attempts/0";

    var appended = new ArrayList<String>();
    Followed sse;
    Followed longPoll;
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var sseSeen = new AtomicInteger();
      var pollSeen = new AtomicInteger();
      Future<Followed> sseReader = exec.submit(() -> followSse(stream, sseSeen));
      Future<Followed> pollReader = exec.submit(() -> followLongPoll(stream, pollSeen));
      for (int i = 0; i < FRAMES; i++) {
        // a summary patch every tenth frame: it must come through as a JSON value
        boolean summary = i % 10 == 9;
        String query = summary ? "?mode=summary" : "?frame_type=log";
        String body = summary ? "{\"done\":" + (i + 1) + "}" : "line " + i;
        var r =
            TestServers.send(
                via(attempt + "/stream" + query)
                    .header("Tributary-Handle", handle)
                    .POST(BodyPublishers.ofString(body))
                    .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        appended.add(json(r).get("id").asString());
        if (i == 0) {
          // live, not at the end: a proxy that held the response back until it completes would
          // deliver everything, in order, but only after the close
          await().atMost(Duration.ofSeconds(5)).until(() -> sseSeen.get() >= 1 && pollSeen.get() >= 1);
        }
        if (i % 8 == 0) {
          Thread.sleep(150); // let the readers catch up and park, so later frames arrive live
        }
      }
      var closed =
          TestServers.send(
              via(attempt + "/close")
                  .header("Tributary-Handle", handle)
                  .POST(BodyPublishers.ofString("{\"reason\":\"attempt_success\"}"))
                  .build());
      assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
      sse = sseReader.get(20, TimeUnit.SECONDS);
      longPoll = pollReader.get(20, TimeUnit.SECONDS);
    }

    for (var followed : List.of(sse, longPoll)) {
      assertThat(followed.ids()).containsExactlyElementsOf(appended);
      assertThat(followed.closed()).isTrue();
      assertThat(followed.messages().get(9).get("payload").toString()).isEqualTo("{\"done\":10}");
      assertThat(followed.messages().get(0).get("payload").asString()).isEqualTo("line 0");
    }
    // the readers really went through the proxy
    assertThat(proxy.log()).contains("live=sse").contains("live=long-poll").contains("/close");
  }

  /** Chunked request bodies pass, and a Location comes back naming the proxy, as docs/proxies.md says. */
  @ParameterizedTest
  @EnumSource(ReverseProxy.Kind.class)
  void chunkedBodiesPassAndLocationNamesTheProxy(ReverseProxy.Kind kind) throws Exception {
    startProxy(kind);
    String stream = "/v1/stream/proxy-chunked-" + System.nanoTime();
    var created =
        TestServers.send(
            via(stream)
                .header("Content-Type", "text/plain")
                .PUT(BodyPublishers.ofByteArrays(List.of("created ".getBytes(UTF_8), "chunked".getBytes(UTF_8))))
                .build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    // the server builds Location from the Host it got: Caddy and HAProxy pass the client's,
    // nginx sends the upstream's and its default proxy_redirect maps the answer back
    assertThat(created.headers().firstValue("Location")).hasValue(proxy.baseUrl() + stream);
    var appended =
        TestServers.send(
            via(stream)
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofByteArrays(List.of(", then ".getBytes(UTF_8), "appended".getBytes(UTF_8))))
                .build());
    assertThat(appended.statusCode()).as(appended.body()).isEqualTo(204);
    var read = TestServers.send(via(stream + "?offset=-1").build());
    assertThat(read.body()).isEqualTo("created chunked, then appended");
  }

  /** A stock nginx refuses bodies over its default {@code client_max_body_size} (1 MiB) itself. */
  @Test
  void stockNginxRefusesBodiesOver1MiBItself() throws Exception {
    startProxy(ReverseProxy.Kind.NGINX);
    String stream = "/v1/stream/nginx-cap-" + System.nanoTime();
    var created =
        TestServers.send(via(stream).header("Content-Type", "text/plain").PUT(BodyPublishers.ofString("kept")).build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    var big = new byte[(1 << 20) + 1];
    java.util.Arrays.fill(big, (byte) 'x');
    var tooBig =
        TestServers.send(
            via(stream).header("Content-Type", "text/plain").POST(BodyPublishers.ofByteArray(big)).build());
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(tooBig.body()).contains("nginx");
    assertThat(TestServers.send(via(stream + "?offset=-1").build()).body()).isEqualTo("kept");
  }

  /** One SSE response from the start until the control event that reports the close. */
  private Followed followSse(String stream, AtomicInteger seen) throws Exception {
    var response =
        TestServers.CLIENT.send(via(stream + "?offset=-1&live=sse").build(), BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    var ids = new ArrayList<String>();
    var messages = new ArrayList<JsonNode>();
    boolean closed = false;
    String event = null;
    var data = new StringBuilder();
    try (var lines = response.body()) {
      for (var it = lines.iterator(); it.hasNext() && !closed; ) {
        String line = it.next();
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).stripLeading());
        } else if (line.isEmpty() && event != null) {
          var value = JSON.readTree(data.toString());
          if (event.equals("data")) {
            for (var m : value) {
              ids.add(m.get("id").asString());
              messages.add(m);
              seen.incrementAndGet();
            }
          } else if (event.equals("control") && value.path("streamClosed").asBoolean(false)) {
            closed = true;
          }
          event = null;
          data.setLength(0);
        }
      }
    }
    return new Followed(ids, messages, closed);
  }

  /** Long-polls from the start, echoing offsets and cursors, until a reply says the stream closed. */
  private Followed followLongPoll(String stream, AtomicInteger seen) throws Exception {
    var ids = new ArrayList<String>();
    var messages = new ArrayList<JsonNode>();
    String offset = "-1";
    String cursor = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      String query = "?offset=" + offset + "&live=long-poll" + (cursor == null ? "" : "&cursor=" + cursor);
      var r = TestServers.send(via(stream + query).build());
      assertThat(r.statusCode()).as(r.body()).isIn(200, 204);
      if (r.statusCode() == 200) {
        for (var m : JSON.readTree(r.body())) {
          ids.add(m.get("id").asString());
          messages.add(m);
          seen.incrementAndGet();
        }
      }
      offset = r.headers().firstValue("Stream-Next-Offset").orElseThrow();
      cursor = r.headers().firstValue("Stream-Cursor").orElse(cursor);
      if (r.headers().firstValue("Stream-Closed").orElse("").equals("true")) {
        return new Followed(ids, messages, true);
      }
    }
    return new Followed(ids, messages, false);
  }
}
