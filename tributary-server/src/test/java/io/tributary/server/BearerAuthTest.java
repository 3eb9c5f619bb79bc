package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import org.junit.jupiter.api.Test;

class BearerAuthTest {
  private static HttpRequest withAuthorization(String value) {
    var headers = value == null ? new HttpHeaders() : HttpHeaders.of("Authorization", value);
    return new HttpRequest("GET", "/v1/executions", "", headers, null);
  }

  private static boolean allows(BearerAuth auth, String authorization) {
    var token = BearerAuth.bearerToken(withAuthorization(authorization));
    return token != null && auth.matches(token);
  }

  @Test
  void disabledAuthMatchesNothing() {
    var auth = new BearerAuth(null);
    assertThat(auth.enabled()).isFalse();
    assertThat(auth.matches("anything")).isFalse();
  }

  @Test
  void onlyTheExactBearerTokenIsAllowed() {
    var auth = new BearerAuth("abc");
    assertThat(allows(auth, "Bearer abc")).isTrue();
    assertThat(allows(auth, "BEARER abc")).isTrue();
    assertThat(allows(auth, null)).isFalse();
    assertThat(allows(auth, "Bearer")).isFalse();
    assertThat(allows(auth, "Bearer ")).isFalse();
    assertThat(allows(auth, "Bearer ab")).isFalse();
    assertThat(allows(auth, "Bearer abcd")).isFalse();
    assertThat(allows(auth, "Basic abc")).isFalse();
    assertThat(allows(auth, "abc")).isFalse();
  }
}
