package io.tributary.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpRequestTest {
  private static HttpRequest get(String rawQuery) {
    return new HttpRequest("GET", "/v1/stream/a", rawQuery, null, null);
  }

  @Test
  void redactedTargetMasksEveryAccessTokenAndKeepsTheRest() {
    assertThat(get("offset=-1&access_token=tbr1.abc.def&live=sse&access_token=x").redactedTarget())
        .isEqualTo("/v1/stream/a?offset=-1&access_token=REDACTED&live=sse&access_token=REDACTED");
    assertThat(get("access%5Ftoken=secret").redactedTarget()).isEqualTo("/v1/stream/a?access_token=REDACTED");
    assertThat(get("access_token").redactedTarget()).isEqualTo("/v1/stream/a?access_token=REDACTED");
    assertThat(get("offset=-1").redactedTarget()).isEqualTo("/v1/stream/a?offset=-1");
    assertThat(get("").redactedTarget()).isEqualTo("/v1/stream/a");
  }

  @Test
  void withoutAccessTokenDropsOnlyThatParameter() {
    var stripped = get("offset=-1&access_token=secret&live=long-poll&access%5Ftoken=again").withoutAccessToken();
    assertThat(stripped.rawQuery()).isEqualTo("offset=-1&live=long-poll");
    assertThat(stripped.query()).containsOnlyKeys("offset", "live");
    assertThat(stripped.path()).isEqualTo("/v1/stream/a");
    assertThat(get("access_token=secret").withoutAccessToken().rawQuery()).isEmpty();
    var untouched = get("offset=-1&my_access_token=1");
    assertThat(untouched.withoutAccessToken()).isSameAs(untouched);
  }
}
