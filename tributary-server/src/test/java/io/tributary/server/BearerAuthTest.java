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

  @Test
  void disabledAuthAllowsEverything() {
    var auth = new BearerAuth(null);
    assertThat(auth.enabled()).isFalse();
    assertThat(auth.allows(withAuthorization(null))).isTrue();
  }

  @Test
  void onlyTheExactBearerTokenIsAllowed() {
    var auth = new BearerAuth("abc");
    assertThat(auth.allows(withAuthorization("Bearer abc"))).isTrue();
    assertThat(auth.allows(withAuthorization("BEARER abc"))).isTrue();
    assertThat(auth.allows(withAuthorization(null))).isFalse();
    assertThat(auth.allows(withAuthorization("Bearer"))).isFalse();
    assertThat(auth.allows(withAuthorization("Bearer "))).isFalse();
    assertThat(auth.allows(withAuthorization("Bearer ab"))).isFalse();
    assertThat(auth.allows(withAuthorization("Bearer abcd"))).isFalse();
    assertThat(auth.allows(withAuthorization("Basic abc"))).isFalse();
    assertThat(auth.allows(withAuthorization("abc"))).isFalse();
  }
}
