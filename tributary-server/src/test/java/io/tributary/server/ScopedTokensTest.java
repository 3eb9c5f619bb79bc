package io.tributary.server;

import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Scoped tokens over real HTTP: the admin token opens everything; a read token minted by {@code
 * POST /v1/tokens} reads exactly one stream, by header or by {@code access_token}, and nothing
 * else. Every route is tried with every kind of wrong credential, and the streams are checked
 * afterwards to hold exactly what they held before.
 */
class ScopedTokensTest {
  private static final String ADMIN = "admin-s3cret";

  private static TributaryServer server;
  private static JsonNode attemptA;
  private static JsonNode attemptB;
  private static String namedN;
  private static String namedM;
  private static String tokenA;
  private static String tokenB;
  private static String tokenN;
  private static String tokenM;
  private static String expiredA;
  private static String expiredN;

  /** Which stream a route touches, and so which tokens are its own and which another's. */
  private enum Target { A, N, ADMIN }

  private record Route(
      String method, String path, String body, Map<String, String> headers, Target target, boolean write) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(TestServers.newDatabase("server_scoped_tokens"), b -> b.authToken(ADMIN));
    attemptA = startAttempt();
    attemptB = startAttempt();
    assertThat(append(attemptA, "frame_type=log", "a-1").statusCode()).isEqualTo(200);
    assertThat(append(attemptA, "mode=summary", "{\"pct\":1}").statusCode()).isEqualTo(200);
    assertThat(append(attemptB, "frame_type=log", "b-1").statusCode()).isEqualTo(200);
    namedN = createNamed("n-1");
    namedM = createNamed("m-1");
    tokenA = mintFor(attemptA, 60_000);
    tokenB = mintFor(attemptB, 60_000);
    tokenN = mint("{\"path\":\"" + namedN + "\"}");
    tokenM = mint("{\"path\":\"" + namedM + "\"}");
    expiredA = mintFor(attemptA, 1);
    expiredN = mint("{\"path\":\"" + namedN + "\",\"ttl_ms\":1}");
    Thread.sleep(20);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyRouteRefusesEveryWrongCredentialAndNothingIsWritten() throws Exception {
    int checked = 0;
    for (var route : routes()) {
      expect(route, sendAs(route, null), 401, "unauthorized");
      expect(route, sendAs(route, "Bearer wrong-token"), 401, "unauthorized");
      expect(route, sendAs(route, "Bearer " + forged()), 401, "unauthorized");
      expect(route, sendAs(route, "Basic " + ADMIN), 401, "unauthorized");
      expect(route, sendWithQueryToken(route, "wrong-token"), 401, "unauthorized");
      expect(route, sendWithQueryToken(route, ADMIN), 401, "unauthorized");

      var expired = route.target() == Target.N ? expiredN : expiredA;
      var expiredByHeader = sendAs(route, "Bearer " + expired);
      expect(route, expiredByHeader, 401, "unauthorized");
      if (!route.method().equals("HEAD")) {
        assertThat(json(expiredByHeader).get("error").asString()).as(route.toString()).contains("expired");
      }
      expect(route, sendWithQueryToken(route, expired), 401, "unauthorized");

      var other =
          switch (route.target()) {
            case A -> tokenB;
            case N -> tokenM;
            case ADMIN -> tokenA;
          };
      expect(route, sendAs(route, "Bearer " + other), 403, "forbidden");
      expect(route, sendWithQueryToken(route, other), 403, "forbidden");

      if (route.write() || route.target() == Target.ADMIN) {
        var own = route.target() == Target.N ? tokenN : tokenA;
        expect(route, sendAs(route, "Bearer " + own), 403, "forbidden");
        expect(route, sendWithQueryToken(route, own), 403, "forbidden");
      }
      checked++;
    }
    assertThat(checked).isEqualTo(routes().size());
    nothingWasWritten();
  }

  private static void nothingWasWritten() throws Exception {
    var a = json(send(admin(attemptPath(id(attemptA), 0) + "/stream")));
    assertThat(a.get("count").asInt()).isEqualTo(2);
    assertThat(a.get("frames").get(0).get("fields").get("payload").asString()).isEqualTo("a-1");
    assertThat(a.has("closed_reason")).as("neither closed nor reclaimed").isFalse();
    var summary = json(send(admin(attemptPath(id(attemptA), 0) + "/summary")));
    assertThat(summary.get("document").toString()).isEqualTo("{\"pct\":1}");
    assertThat(send(admin(dsAttempt(attemptA, 1))).statusCode())
        .as("no second attempt was started").isEqualTo(404);

    var n = send(admin(namedN + "?offset=-1"));
    assertThat(n.statusCode()).isEqualTo(200);
    assertThat(n.body()).isEqualTo("n-1");
    assertThat(n.headers().firstValue("Stream-Closed")).isEmpty();
    assertThat(send(adminHead(newNamedPath())).statusCode()).as("never created").isEqualTo(404);
  }

  @Test
  void aReadTokenReadsItsStreamByHeaderAndByQueryParameter() throws Exception {
    for (var route : routes()) {
      if (route.write() || route.target() == Target.ADMIN) {
        continue;
      }
      var own = route.target() == Target.N ? tokenN : tokenA;
      for (var response : List.of(sendAs(route, "Bearer " + own), sendWithQueryToken(route, own))) {
        assertThat(response.statusCode()).as(route.toString()).isEqualTo(200);
        if (!route.method().equals("HEAD")) {
          assertThat(response.body()).as(route.toString()).contains(route.target() == Target.N ? "n-1" : "pct");
        }
      }
    }
    var summary = send(request(server, attemptPath(id(attemptA), 0) + "/summary?access_token=" + tokenA).build());
    assertThat(json(summary).get("document").toString()).isEqualTo("{\"pct\":1}");
  }

  @Test
  void aReadTokenFollowsItsAttemptLiveWithSseTailAndLongPoll() throws Exception {
    var attempt = startAttempt();
    var token = mintFor(attempt, 60_000);

    var sse = openSse(dsAttempt(attempt, 0) + "?offset=-1&live=sse&access_token=" + token, null);
    var tail = TestServers.CLIENT.sendAsync(
        request(server, attemptPath(id(attempt), 0) + "/stream/tail?after=0-0&block_ms=20000&access_token=" + token)
            .build(),
        BodyHandlers.ofString());
    var poll = TestServers.CLIENT.sendAsync(
        request(server, dsAttempt(attempt, 0) + "?offset=-1&live=long-poll")
            .header("Authorization", "Bearer " + token).build(),
        BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> sse.lines().contains("event: control"));

    assertThat(append(attempt, "frame_type=log", "live-1").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> sse.sawData("live-1"));
    assertThat(json(tail.get()).get("frames").get(0).get("fields").get("payload").asString()).isEqualTo("live-1");
    var polled = poll.get();
    assertThat(polled.statusCode()).isEqualTo(200);
    assertThat(polled.body()).contains("live-1");

    var closed = send(authed(attemptPath(id(attempt), 0) + "/close")
        .header("Tributary-Handle", attempt.get("handle").asString())
        .POST(BodyPublishers.ofString("{\"reason\":\"attempt_success\"}")).build());
    assertThat(closed.statusCode()).isEqualTo(200);
    sse.awaitEnd();
  }

  @Test
  void aReadTokenFollowsItsNamedStreamLiveWithSseAndLongPoll() throws Exception {
    var stream = createNamed("first");
    var token = mint("{\"path\":\"" + stream + "\",\"ttl_ms\":60000}");
    var byHeader = openSse(stream + "?offset=-1&live=sse", token);
    var byQuery = openSse(stream + "?offset=-1&live=sse&access_token=" + token, null);
    var head = send(request(server, stream + "?access_token=" + token).method("HEAD", BodyPublishers.noBody()).build());
    var tailOffset = head.headers().firstValue("Stream-Next-Offset").orElseThrow();
    var poll = TestServers.CLIENT.sendAsync(
        request(server, stream + "?offset=" + tailOffset + "&live=long-poll&access_token=" + token).build(),
        BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> byHeader.sawData("first") && byQuery.sawData("first"));

    var appended = send(authed(stream).header("Content-Type", "text/plain").POST(BodyPublishers.ofString("second")).build());
    assertThat(appended.statusCode()).isIn(200, 204);
    await().atMost(Duration.ofSeconds(10)).until(() -> byHeader.sawData("second") && byQuery.sawData("second"));
    var polled = poll.get();
    assertThat(polled.statusCode()).isEqualTo(200);
    assertThat(polled.body()).isEqualTo("second");

    var closed = send(authed(stream).header("Content-Type", "text/plain").header("Stream-Closed", "true")
        .POST(BodyPublishers.noBody()).build());
    assertThat(closed.statusCode()).isIn(200, 204);
    byHeader.awaitEnd();
    byQuery.awaitEnd();
  }

  @Test
  void healthAndPreflightsStayOpenWhateverTheCredential() throws Exception {
    for (var credential : new String[] {null, "Bearer wrong", "Bearer " + expiredA, "Bearer " + tokenA}) {
      var b = request(server, "/health");
      if (credential != null) {
        b.header("Authorization", credential);
      }
      assertThat(send(b.build()).statusCode()).as(String.valueOf(credential)).isEqualTo(200);
    }
    var preflight = send(request(server, namedN).method("OPTIONS", BodyPublishers.noBody()).build());
    assertThat(preflight.statusCode()).isEqualTo(204);
  }

  @Test
  void refusalsOnDurableStreamsRoutesCarryCorsSoBrowsersCanReadThem() throws Exception {
    var denied = send(request(server, namedN + "?offset=-1&access_token=" + tokenM).build());
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(json(denied).get("error").asString()).contains(namedM).doesNotContain("tbr1.");
  }

  @Test
  void mintingValidatesItsBody() throws Exception {
    for (var body :
        new String[] {
          "", "[]", "not json", "{}", "{\"path\":\"/v1/stream/a\",\"execution_id\":\"x\"}",
          "{\"path\":\"/elsewhere\"}", "{\"path\":\"/v1/stream/executions/x/attempts/0\"}",
          "{\"execution_id\":\"nope\",\"attempt_index\":0}", "{\"execution_id\":\"" + id(attemptA) + "\"}",
          "{\"execution_id\":\"" + id(attemptA) + "\",\"attempt_index\":-1}",
          "{\"path\":\"/v1/stream/a\",\"ttl_ms\":0}", "{\"path\":\"/v1/stream/a\",\"ttl_ms\":86400001}",
          "{\"path\":\"/v1/stream/a\",\"ttl\":5}",
        }) {
      var response = send(authed(HttpRouter.TOKENS_PATH).POST(BodyPublishers.ofString(body)).build());
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      assertThat(json(response).get("kind").asString()).isEqualTo("invalid_input");
    }
    var get = send(authed(HttpRouter.TOKENS_PATH).build());
    assertThat(get.statusCode()).isEqualTo(405);

    var minted = json(send(authed(HttpRouter.TOKENS_PATH).POST(BodyPublishers.ofString("{\"path\":\"/v1/stream/a\"}")).build()));
    long ttl = minted.get("expires_at_ms").asLong() - System.currentTimeMillis();
    assertThat(ttl).as("default one hour").isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis());
    assertThat(minted.get("expires_at").asString()).endsWith("Z");
    assertThat(minted.get("scope").asString()).isEqualTo("read");
  }

  // ---------------------------------------------------------------------------------------------

  private static List<Route> routes() {
    var a = attemptPath(id(attemptA), 0);
    var handle = Map.of("Tributary-Handle", attemptA.get("handle").asString());
    var json = Map.of("Content-Type", "application/json");
    var text = Map.of("Content-Type", "text/plain");
    var ds = dsAttempt(attemptA, 0);
    var execution = "/v1/executions/" + URLEncoder.encode(id(attemptA), StandardCharsets.UTF_8);
    var routes = new ArrayList<Route>();
    routes.add(new Route("POST", execution + "/attempts", "{\"lease_ttl_ms\":60000}", Map.of(), Target.A, true));
    routes.add(new Route("POST", execution + "/reclaim", "", Map.of(), Target.A, true));
    routes.add(new Route("POST", a + "/renew", "", handle, Target.A, true));
    routes.add(new Route("POST", a + "/close", "{\"reason\":\"attempt_failure\"}", handle, Target.A, true));
    routes.add(new Route("POST", a + "/stream?frame_type=log", "intruder", handle, Target.A, true));
    routes.add(new Route("POST", a + "/stream?mode=summary", "{\"pct\":99}", handle, Target.A, true));
    routes.add(new Route("GET", a + "/stream", null, Map.of(), Target.A, false));
    routes.add(new Route("GET", a + "/stream/tail?after=0-0", null, Map.of(), Target.A, false));
    routes.add(new Route("GET", a + "/summary", null, Map.of(), Target.A, false));
    routes.add(new Route("GET", ds + "?offset=-1", null, Map.of(), Target.A, false));
    routes.add(new Route("GET", ds + "?offset=-1&live=long-poll", null, Map.of(), Target.A, false));
    routes.add(new Route("HEAD", ds, null, Map.of(), Target.A, false));
    routes.add(new Route("POST", ds, "{\"a\":1}", json, Target.A, true));
    routes.add(new Route("PUT", ds, "", json, Target.A, true));
    routes.add(new Route("DELETE", ds, null, Map.of(), Target.A, true));
    routes.add(new Route("PUT", namedN, "", text, Target.N, true));
    routes.add(new Route("POST", namedN, "intruder", text, Target.N, true));
    routes.add(new Route("POST", namedN, "", Map.of("Content-Type", "text/plain", "Stream-Closed", "true"), Target.N, true));
    routes.add(new Route("DELETE", namedN, null, Map.of(), Target.N, true));
    routes.add(new Route("GET", namedN + "?offset=-1", null, Map.of(), Target.N, false));
    routes.add(new Route("GET", namedN + "?offset=-1&live=long-poll", null, Map.of(), Target.N, false));
    routes.add(new Route("HEAD", namedN, null, Map.of(), Target.N, false));
    routes.add(new Route("PUT", newNamedPath(), "", text, Target.ADMIN, true));
    routes.add(new Route("POST", "/v1/executions", "", Map.of(), Target.ADMIN, true));
    routes.add(new Route("POST", HttpRouter.TOKENS_PATH, "{\"path\":\"" + namedN + "\"}", json, Target.ADMIN, true));
    routes.add(new Route("GET", "/metrics", null, Map.of(), Target.ADMIN, false));
    routes.add(new Route("GET", "/nowhere", null, Map.of(), Target.ADMIN, false));
    return routes;
  }

  private static void expect(Route route, HttpResponse<String> response, int status, String kind) {
    assertThat(response.statusCode()).as(route + " -> " + response.body()).isEqualTo(status);
    if (!route.method().equals("HEAD")) {
      assertThat(json(response).get("kind").asString()).as(route.toString()).isEqualTo(kind);
      assertThat(response.body()).as("no token echoed").doesNotContain("tbr1.").doesNotContain(ADMIN);
    }
    if (status == 401) {
      assertThat(response.headers().firstValue("WWW-Authenticate")).as(route.toString()).hasValue("Bearer");
    }
  }

  private static HttpResponse<String> sendAs(Route route, String authorization) throws Exception {
    var b = request(server, route.path());
    route.headers().forEach(b::header);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b.method(route.method(), body(route)).build());
  }

  private static HttpResponse<String> sendWithQueryToken(Route route, String token) throws Exception {
    var path = route.path() + (route.path().contains("?") ? "&" : "?") + "access_token=" + token;
    var b = request(server, path);
    route.headers().forEach(b::header);
    return send(b.method(route.method(), body(route)).build());
  }

  private static HttpRequest.BodyPublisher body(Route route) {
    return route.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(route.body());
  }

  /** A well-formed token for stream N whose MAC was made with another key. */
  private static String forged() {
    var other = new TokenSigner("an attacker's key of thirty-two bytes".getBytes(StandardCharsets.US_ASCII));
    return other.sign(new ReadToken(new StreamScope.Named(namedN), System.currentTimeMillis() + 60_000));
  }

  private static String newNamedPath() {
    return "/v1/stream/scoped-never-created";
  }

  private static String id(JsonNode attempt) {
    return attempt.get("execution_id").asString();
  }

  private static String dsAttempt(JsonNode attempt, long index) {
    return "/v1/stream/executions/" + URLEncoder.encode(id(attempt), StandardCharsets.UTF_8) + "/attempts/" + index;
  }

  private static HttpRequest.Builder authed(String path) {
    return request(server, path).header("Authorization", "Bearer " + ADMIN);
  }

  private static HttpRequest admin(String path) {
    return authed(path).build();
  }

  private static HttpRequest adminHead(String path) {
    return authed(path).method("HEAD", BodyPublishers.noBody()).build();
  }

  private static JsonNode startAttempt() throws Exception {
    var minted = send(authed("/v1/executions").POST(BodyPublishers.noBody()).build());
    var id = json(minted).get("execution_id").asString();
    var started = send(authed("/v1/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts")
        .POST(BodyPublishers.ofString("{\"lease_ttl_ms\":60000}")).build());
    assertThat(started.statusCode()).isEqualTo(201);
    return json(started);
  }

  private static HttpResponse<String> append(JsonNode attempt, String query, String payload) throws Exception {
    return send(authed(attemptPath(id(attempt), attempt.get("attempt_index").asLong()) + "/stream?" + query)
        .header("Tributary-Handle", attempt.get("handle").asString())
        .POST(BodyPublishers.ofString(payload)).build());
  }

  private static String createNamed(String firstMessage) throws Exception {
    var path = "/v1/stream/scoped-" + System.nanoTime();
    var created = send(authed(path).header("Content-Type", "text/plain").PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).isEqualTo(201);
    var appended = send(authed(path).header("Content-Type", "text/plain").POST(BodyPublishers.ofString(firstMessage)).build());
    assertThat(appended.statusCode()).isIn(200, 204);
    return path;
  }

  private static String mintFor(JsonNode attempt, long ttlMs) throws Exception {
    return mint("{\"execution_id\":\"" + id(attempt) + "\",\"attempt_index\":" + attempt.get("attempt_index").asLong()
        + ",\"ttl_ms\":" + ttlMs + "}");
  }

  private static String mint(String body) throws Exception {
    var minted = send(authed(HttpRouter.TOKENS_PATH).POST(BodyPublishers.ofString(body)).build());
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    return json(minted).get("token").asString();
  }

  /** An SSE response being read line by line on a virtual thread. */
  private record Sse(List<String> lines, Thread reader) {
    boolean sawData(String text) {
      return lines.stream().anyMatch(l -> l.startsWith("data:") && l.contains(text));
    }

    /** The server ends the response once the stream is closed. */
    void awaitEnd() throws InterruptedException {
      reader.join(Duration.ofSeconds(10));
      assertThat(reader.isAlive()).as("SSE response ended after the close").isFalse();
    }
  }

  private static Sse openSse(String pathAndQuery, String bearer) throws Exception {
    var b = request(server, pathAndQuery);
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    var response = TestServers.CLIENT.send(b.build(), BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    List<String> lines = new CopyOnWriteArrayList<>();
    var reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));
    return new Sse(lines, reader);
  }
}
