package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.protocol.rest.FlowFabricRestHandler;
import io.tributary.protocol.rest.RestConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The router without sockets: what a handler behind the auth check gets to see. */
class HttpRouterAuthTest {
  private static final byte[] KEY = "router test key, thirty-two bytes!".getBytes(StandardCharsets.US_ASCII);
  private final List<HttpRequest> seen = new ArrayList<>();

  private HttpRouter router(String adminToken) {
    var signer = new TokenSigner(KEY);
    return new HttpRouter(
        new FlowFabricRestHandler(null, RestConfig.withMaxStreamOps(1)),
        request -> {
          seen.add(request);
          return HttpResponse.of(200, new HttpHeaders(), "ok");
        },
        request -> {
          seen.add(request);
          return HttpResponse.of(200, new HttpHeaders(), "listed");
        },
        new TokenAuth(new BearerAuth(adminToken), signer, System::currentTimeMillis),
        new TokenMint(signer, Duration.ofMinutes(5), System::currentTimeMillis),
        new ServerMetrics(),
        new HttpRouter.Health() {
          @Override
          public boolean databaseReachable() {
            return true;
          }

          @Override
          public boolean listening() {
            return true;
          }
        });
  }

  private static String token(String path) {
    return new TokenSigner(KEY).sign(new ReadToken(new StreamScope.Named(path), System.currentTimeMillis() + 60_000));
  }

  @Test
  void handlersNeverSeeTheAccessTokenParameter() {
    var router = router("admin");
    var query = "offset=-1&access_token=" + token("/v1/stream/a") + "&live=sse";
    var response = router.handle(new HttpRequest("GET", "/v1/stream/a", query, null, null));
    assertThat(response.status()).isEqualTo(200);
    assertThat(seen).singleElement().satisfies(r -> assertThat(r.rawQuery()).isEqualTo("offset=-1&live=sse"));
  }

  @Test
  void withAuthOffTokensAreIgnoredButStillStripped() {
    var router = router(null);
    var response = router.handle(new HttpRequest("DELETE", "/v1/stream/a", "access_token=garbage", null, null));
    assertThat(response.status()).isEqualTo(200);
    assertThat(seen.getFirst().rawQuery()).isEmpty();
  }

  @Test
  void theHeaderDecidesWhenBothAreGiven() {
    var router = router("admin");
    var headers = HttpHeaders.of("Authorization", "Bearer admin");
    var asAdmin = router.handle(new HttpRequest("POST", "/v1/stream/b", "access_token=" + token("/v1/stream/a"), headers, null));
    assertThat(asAdmin.status()).isEqualTo(200);
    var wrongHeader = HttpHeaders.of("Authorization", "Bearer nope");
    var refused = router.handle(new HttpRequest("GET", "/v1/stream/a", "access_token=" + token("/v1/stream/a"), wrongHeader, null));
    assertThat(refused.status()).isEqualTo(401);
  }

  @Test
  void aRepeatedAccessTokenIsRefused() {
    var router = router("admin");
    var t = token("/v1/stream/a");
    var response = router.handle(new HttpRequest("GET", "/v1/stream/a", "access_token=" + t + "&access_token=" + t, null, null));
    assertThat(response.status()).isEqualTo(401);
    assertThat(seen).isEmpty();
  }
}
