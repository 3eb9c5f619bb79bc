package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ExecutionId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StreamScopeTest {
  private static final ExecutionId ID = ExecutionId.random(5);
  private static final StreamScope ATTEMPT_2 = new StreamScope.Attempt(ID, 2);

  @Test
  void everyReadRouteOfAnAttemptNamesThatAttempt() {
    var rest = "/v1/executions/" + ID + "/attempts/2";
    assertThat(StreamScope.readBy(rest + "/stream")).hasValue(ATTEMPT_2);
    assertThat(StreamScope.readBy(rest + "/stream/tail")).hasValue(ATTEMPT_2);
    assertThat(StreamScope.readBy(rest + "/summary")).hasValue(ATTEMPT_2);
    assertThat(StreamScope.readBy("/v1/executions/" + "{fp:5}:" + ID.uuid().toString().toUpperCase() + "/attempts/002/stream"))
        .as("the same attempt however it is spelled").hasValue(ATTEMPT_2);
    assertThat(StreamScope.readBy("/v1/stream/executions/" + ID + "/attempts/2")).hasValue(ATTEMPT_2);
    assertThat(StreamScope.readBy(
            "/v1/stream/executions/" + URLEncoder.encode(ID.toString(), StandardCharsets.UTF_8) + "/attempts/2"))
        .hasValue(ATTEMPT_2);
  }

  @Test
  void lifecycleRoutesAndMalformedPathsNameNoStream() {
    var rest = "/v1/executions/" + ID;
    for (var path :
        new String[] {
          "/v1/executions", rest + "/attempts", rest + "/reclaim", rest + "/attempts/2/renew",
          rest + "/attempts/2/close", rest + "/attempts/2/stream/tail/x", rest + "/attempts/-1/stream",
          rest + "/attempts/99999999999/stream", "/v1/executions/nope/attempts/0/stream",
          "/v1/stream/executions/" + ID, "/v1/stream/executions/nope/attempts/0", "/v1/stream/",
          "/v1/tokens", "/metrics", "/health", "/v1/streamx",
        }) {
      assertThat(StreamScope.readBy(path)).as(path).isEmpty();
    }
  }

  @Test
  void anyOtherPathUnderTheStreamPrefixIsANamedStream() {
    assertThat(StreamScope.readBy("/v1/stream/chat/42")).hasValue(new StreamScope.Named("/v1/stream/chat/42"));
    assertThat(StreamScope.readBy("/v1/stream/chat/42")).isNotEqualTo(Optional.of(new StreamScope.Named("/v1/stream/chat/4")));
  }

  @Test
  void encodeAndDecodeRoundTrip() {
    var named = new StreamScope.Named("/v1/stream/a/b");
    assertThat(StreamScope.decode(named.encode())).isEqualTo(named);
    assertThat(StreamScope.decode(ATTEMPT_2.encode())).isEqualTo(ATTEMPT_2);
    assertThatThrownBy(() -> StreamScope.decode("named")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamScope.decode("attempt\nx\n1")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namedScopesMustBeNamedStreams() {
    for (var path : new String[] {"/v1/stream/", "/elsewhere", "/v1/stream/executions/x/attempts/0", "/v1/stream/a\nb"}) {
      assertThatThrownBy(() -> new StreamScope.Named(path)).as(path).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
