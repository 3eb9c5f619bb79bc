package io.tributary.server;

import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The discovery routes over real HTTP with auth on: shapes, paging, filters, errors, tokens. */
class DiscoveryOverHttpTest {
  private static final String ADMIN = "discovery-admin";
  private static TributaryServer server;
  private static String open;
  private static String succeeded;
  private static String failedThenRetried;
  private static long succeededLastAppend;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(TestServers.newDatabase("server_discovery"), b -> b.authToken(ADMIN));
    var a = startAttempt(null);
    open = a.get("execution_id").asString();
    Thread.sleep(3);
    var b = startAttempt(null);
    succeeded = b.get("execution_id").asString();
    assertThat(post(attemptPath(succeeded, 0) + "/stream?frame_type=log", "hello", b).statusCode()).isEqualTo(200);
    var appended = post(attemptPath(succeeded, 0) + "/stream?mode=summary", "{\"pct\":100}", b);
    succeededLastAppend = Long.parseLong(json(appended).get("id").asString().split("-")[0]);
    close(b, "attempt_success");
    Thread.sleep(3);
    var c = startAttempt(null);
    failedThenRetried = c.get("execution_id").asString();
    close(c, "attempt_failure");
    startAttempt(failedThenRetried);
    for (var path : List.of("/v1/stream/disc/a", "/v1/stream/disc/b", "/v1/stream/disc/c", "/v1/stream/other")) {
      var put = send(admin(path).header("Content-Type", "text/plain").PUT(BodyPublishers.ofString("x")).build());
      assertThat(put.statusCode()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void listsExecutionsNewestFirstWithTheirCurrentAttempt() throws Exception {
    var page = get("/v1/executions", ADMIN);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("application/json");
    var body = json(page);
    assertThat(ids(body)).containsExactly(failedThenRetried, succeeded, open);
    assertThat(body.get("next").isNull()).isTrue();
    var retried = body.get("executions").get(0);
    assertThat(retried.get("state").asString()).isEqualTo("open");
    assertThat(retried.get("attempt_count").asLong()).isEqualTo(2);
    assertThat(retried.get("current_attempt_index").asLong()).isEqualTo(1);
    assertThat(retried.get("close_reason").isNull()).isTrue();
    var done = body.get("executions").get(1);
    assertThat(fieldNames(done)).containsExactlyInAnyOrder("execution_id", "created_at_ms", "state", "attempt_count",
        "current_attempt_index", "close_reason", "closed_at_ms", "frame_count", "total_bytes", "summary_version",
        "last_append_at_ms");
    assertThat(done.get("state").asString()).isEqualTo("closed");
    assertThat(done.get("close_reason").asString()).isEqualTo("attempt_success");
    assertThat(done.get("closed_at_ms").asLong()).isPositive();
    assertThat(done.get("frame_count").asLong()).isEqualTo(2);
    assertThat(done.get("total_bytes").asLong()).isEqualTo(5 + "{\"pct\":100}".length());
    assertThat(done.get("summary_version").asLong()).isEqualTo(1);
    assertThat(done.get("last_append_at_ms").asLong()).isEqualTo(succeededLastAppend);
    assertThat(done.get("created_at_ms").asLong()).isLessThanOrEqualTo(retried.get("created_at_ms").asLong());
  }

  @Test
  void pagesWithTheOpaqueCursorAndFilters() throws Exception {
    var seen = new ArrayList<String>();
    String next = null;
    do {
      var body = json(get("/v1/executions?limit=1" + (next == null ? "" : "&after=" + enc(next)), ADMIN));
      assertThat(body.get("executions").size()).isEqualTo(1);
      seen.addAll(ids(body));
      next = body.get("next").isNull() ? null : body.get("next").asString();
    } while (next != null);
    assertThat(seen).containsExactly(failedThenRetried, succeeded, open);

    assertThat(ids(json(get("/v1/executions?state=open", ADMIN)))).containsExactly(failedThenRetried, open);
    assertThat(ids(json(get("/v1/executions?state=closed", ADMIN)))).containsExactly(succeeded);
    assertThat(ids(json(get("/v1/executions?close_reason=attempt_success", ADMIN)))).containsExactly(succeeded);
    assertThat(ids(json(get("/v1/executions?state=closed&close_reason=attempt_failure", ADMIN)))).isEmpty();
    assertThat(ids(json(get("/v1/executions?state=all&limit=500", ADMIN)))).hasSize(3);
  }

  @Test
  void badParametersAre400sThatSayWhatIsWrong() throws Exception {
    expect400("/v1/executions?limit=0", "limit must be an integer in 1..500, got '0'");
    expect400("/v1/executions?limit=501", "limit must be an integer in 1..500");
    expect400("/v1/executions?limit=ten", "got 'ten'");
    expect400("/v1/executions?limit=1&limit=2", "duplicate query parameter 'limit'");
    expect400("/v1/executions?state=running", "state must be open, closed or all, got 'running'");
    expect400("/v1/executions?close_reason=done", "close_reason: unknown close reason 'done'");
    expect400("/v1/executions?state=open&close_reason=attempt_success", "cannot go with state=open");
    expect400("/v1/executions?after=not-a-cursor", "after: 'not-a-cursor' is not a cursor of this listing");
    expect400("/v1/executions?after=", "after is empty");
    expect400("/v1/streams?limit=-1", "limit must be an integer in 1..500");
    expect400("/v1/streams?after=e1.MTIz", "is not a cursor of this listing");
    expect400("/v1/executions/not-an-id", "invalid execution_id");
  }

  private static void expect400(String path, String message) throws Exception {
    var response = get(path, ADMIN);
    assertThat(response.statusCode()).as(path).isEqualTo(400);
    var body = json(response);
    assertThat(body.get("error").asString()).as(path).contains(message);
    assertThat(body.get("kind").asString()).as(path).isIn("invalid_input", "invalid_execution_id");
    assertThat(body.get("retryable").asBoolean()).isFalse();
  }

  @Test
  void looksAnExecutionUpWithItsAttempts() throws Exception {
    var response = get("/v1/executions/" + enc(failedThenRetried), ADMIN);
    assertThat(response.statusCode()).isEqualTo(200);
    var body = json(response);
    assertThat(body.get("execution_id").asString()).isEqualTo(failedThenRetried);
    assertThat(body.get("state").asString()).isEqualTo("open");
    assertThat(body.get("attempt_count").asLong()).isEqualTo(2);
    assertThat(body.get("current_attempt_index").asLong()).isEqualTo(1);
    var attempts = body.get("attempts");
    assertThat(attempts.size()).isEqualTo(2);
    var first = attempts.get(0);
    assertThat(fieldNames(first)).containsExactlyInAnyOrder("attempt_index", "state", "created_at_ms", "lease_epoch",
        "lease_expires_at_ms", "closed_at_ms", "close_reason", "frame_count", "total_bytes", "summary_version",
        "last_append_at_ms");
    assertThat(first.get("attempt_index").asLong()).isZero();
    assertThat(first.get("state").asString()).isEqualTo("closed");
    assertThat(first.get("close_reason").asString()).isEqualTo("attempt_failure");
    assertThat(attempts.get(1).get("state").asString()).isEqualTo("open");
    assertThat(attempts.get(1).get("lease_expires_at_ms").asLong()).isGreaterThan(System.currentTimeMillis());
    assertThat(attempts.get(1).get("lease_epoch").asLong()).isEqualTo(2);

    var only = json(get("/v1/executions/" + enc(failedThenRetried) + "/attempts", ADMIN));
    assertThat(fieldNames(only)).containsExactly("attempts");
    assertThat(only.get("attempts")).isEqualTo(attempts);

    var unknown = get("/v1/executions/" + enc("{fp:1}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21"), ADMIN);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("kind").asString()).isEqualTo("not_found");
    assertThat(get("/v1/executions/" + enc("{fp:1}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21") + "/attempts", ADMIN)
        .statusCode()).isEqualTo(404);
    var post = send(admin("/v1/executions/" + enc(open)).POST(BodyPublishers.noBody()).build());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void listsNamedStreamsByPrefix() throws Exception {
    var body = json(get("/v1/streams?prefix=" + enc("/v1/stream/disc/") + "&limit=2", ADMIN));
    assertThat(body.get("streams").size()).isEqualTo(2);
    var first = body.get("streams").get(0);
    assertThat(fieldNames(first)).containsExactlyInAnyOrder("path", "content_type", "created_at_ms", "closed",
        "frame_count", "total_bytes", "expires_at_ms");
    assertThat(first.get("path").asString()).isEqualTo("/v1/stream/disc/a");
    assertThat(first.get("content_type").asString()).isEqualTo("text/plain");
    assertThat(first.get("frame_count").asLong()).isEqualTo(1);
    assertThat(first.get("total_bytes").asLong()).isEqualTo(1);
    assertThat(first.get("closed").asBoolean()).isFalse();
    assertThat(first.get("expires_at_ms").isNull()).isTrue();
    var rest = json(get("/v1/streams?prefix=" + enc("/v1/stream/disc/") + "&limit=2&after="
        + enc(body.get("next").asString()), ADMIN));
    assertThat(rest.get("streams").findValuesAsString("path")).containsExactly("/v1/stream/disc/c");
    assertThat(rest.get("next").isNull()).isTrue();
    assertThat(json(get("/v1/streams", ADMIN)).get("streams").size()).isEqualTo(4);
    assertThat(send(admin("/v1/streams").DELETE().build()).statusCode()).isEqualTo(405);
  }

  @Test
  void aReadTokenSeesItsOwnExecutionOnly() throws Exception {
    String token = json(send(admin("/v1/tokens").POST(BodyPublishers.ofString(
        "{\"execution_id\":\"" + succeeded + "\",\"attempt_index\":0}")).build())).get("token").asString();
    assertThat(get("/v1/executions/" + enc(succeeded), token).statusCode()).isEqualTo(200);
    assertThat(get("/v1/executions/" + enc(succeeded) + "/attempts", token).statusCode()).isEqualTo(200);
    var fromQuery = send(request(server, "/v1/executions/" + enc(succeeded) + "?access_token=" + token).GET().build());
    assertThat(fromQuery.statusCode()).isEqualTo(200);
    var other = get("/v1/executions/" + enc(open), token);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(json(other).get("kind").asString()).isEqualTo("forbidden");
    for (var list : List.of("/v1/executions", "/v1/executions?state=open", "/v1/streams")) {
      var refused = get(list, token);
      assertThat(refused.statusCode()).as(list).isEqualTo(403);
      assertThat(json(refused).get("error").asString()).contains("listing needs the admin token");
    }
    String named = json(send(admin("/v1/tokens").POST(BodyPublishers.ofString(
        "{\"path\":\"/v1/stream/disc/a\"}")).build())).get("token").asString();
    assertThat(get("/v1/executions/" + enc(succeeded), named).statusCode()).isEqualTo(403);
    assertThat(get("/v1/streams", named).statusCode()).isEqualTo(403);
    assertThat(get("/v1/executions", null).statusCode()).isEqualTo(401);
    assertThat(get("/v1/executions", "wrong").statusCode()).isEqualTo(401);
  }

  private static List<String> ids(JsonNode body) {
    var out = new ArrayList<String>();
    body.get("executions").forEach(e -> out.add(e.get("execution_id").asString()));
    return out;
  }

  private static List<String> fieldNames(JsonNode node) {
    var out = new ArrayList<String>();
    node.propertyNames().forEach(out::add);
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static java.net.http.HttpRequest.Builder admin(String path) {
    return request(server, path).header("Authorization", "Bearer " + ADMIN);
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    var builder = request(server, path).GET();
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return send(builder.build());
  }

  private static JsonNode startAttempt(String id) throws Exception {
    if (id == null) {
      id = json(send(admin("/v1/executions").POST(BodyPublishers.noBody()).build())).get("execution_id").asString();
    }
    var started = send(admin("/v1/executions/" + enc(id) + "/attempts")
        .POST(BodyPublishers.ofString("{\"lease_ttl_ms\":60000}")).build());
    assertThat(started.statusCode()).isEqualTo(201);
    return json(started);
  }

  private static HttpResponse<String> post(String path, String body, JsonNode attempt) throws Exception {
    return send(admin(path).header("Tributary-Handle", attempt.get("handle").asString())
        .POST(BodyPublishers.ofString(body)).build());
  }

  private static void close(JsonNode attempt, String reason) throws Exception {
    var closed = post(attemptPath(attempt.get("execution_id").asString(), attempt.get("attempt_index").asLong())
        + "/close", "{\"reason\":\"" + reason + "\"}", attempt);
    assertThat(closed.statusCode()).isEqualTo(200);
  }
}
