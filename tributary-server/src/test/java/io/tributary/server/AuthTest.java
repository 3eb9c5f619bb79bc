package io.tributary.server;

import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bearer auth over real HTTP: every route but /health needs the token. */
class AuthTest {
  private static final String TOKEN = "s3cret-token";
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.newDatabase("server_auth"), b -> b.authToken(TOKEN));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    assertThat(send(request(server, "/health").build()).statusCode()).isEqualTo(200);
  }

  @Test
  void everyOtherRouteAnswers401WithoutTheRightToken() throws Exception {
    for (var path : new String[] {"/metrics", "/v1/executions", "/v1/stream/any", "/nowhere"}) {
      var missing = send(request(server, path).POST(BodyPublishers.noBody()).build());
      assertThat(missing.statusCode()).as(path).isEqualTo(401);
      assertThat(json(missing).get("error").asString()).isEqualTo("missing or invalid Authorization header");
      assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

      var wrong = send(request(server, path).header("Authorization", "Bearer s3cret-tokeN").build());
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
      var otherScheme = send(request(server, path).header("Authorization", "Basic " + TOKEN).build());
      assertThat(otherScheme.statusCode()).as(path).isEqualTo(401);
    }
  }

  @Test
  void theRightTokenGetsThrough() throws Exception {
    var minted = send(request(server, "/v1/executions").header("Authorization", "Bearer " + TOKEN)
        .POST(BodyPublishers.noBody()).build());
    assertThat(minted.statusCode()).isEqualTo(201);
    var metrics = send(request(server, "/metrics").header("Authorization", "bearer " + TOKEN).build());
    assertThat(metrics.statusCode()).isEqualTo(200);
  }

  @Test
  void corsPreflightsNeedNoTokenBecauseBrowsersSendNone() throws Exception {
    var preflight = send(request(server, "/v1/stream/any").method("OPTIONS", BodyPublishers.noBody()).build());
    assertThat(preflight.statusCode()).isNotEqualTo(401);
  }
}
