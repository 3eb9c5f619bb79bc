package io.tributary.protocol.ds.subscription;

import static io.tributary.protocol.ds.subscription.SubscriptionFixture.json;
import static io.tributary.protocol.ds.subscription.SubscriptionFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PullWakeTest {
  private static SubscriptionFixture f;

  @BeforeAll
  static void start() {
    f = new SubscriptionFixture("subscription_pull_wake");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static JsonNode claim(String id, String worker, int status) {
    var r = f.call("POST", "/v1/stream/__ds/subscriptions/" + id + "/claim", "{\"worker\":\"" + worker + "\"}");
    assertThat(r.status()).as(new String(r.body())).isEqualTo(status);
    return json(r);
  }

  @Test
  void claimAckAndReleaseUseSubscriptionScopedLeases() {
    var wake = SubscriptionFixture.name("wake");
    var prefix = SubscriptionFixture.name("pull");
    var id = SubscriptionFixture.name("sub");
    assertThat(f.call("PUT", "/v1/stream/" + wake, "[]").status()).isEqualTo(201);
    assertThat(
            f.putSubscription(
                    id,
                    "{\"type\":\"pull-wake\",\"pattern\":\"" + prefix + "/*\",\"wake_stream\":\"" + wake
                        + "\",\"lease_ttl_ms\":1000}")
                .status())
        .isEqualTo(201);
    var none = claim(id, "w1", 409);
    assertThat(none.get("error").get("code").asString()).isEqualTo("NO_PENDING_WORK");

    var path = prefix + "/s";
    f.call("PUT", "/v1/stream/" + path, "{\"event\":\"created\"}");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> json(f.call("GET", "/v1/stream/" + wake, null)).toString().contains("\"subscription_id\":\"" + id + "\""));

    var claimed = claim(id, "w1", 200);
    var busy = claim(id, "w2", 409);
    assertThat(busy.get("error").get("code").asString()).isEqualTo("ALREADY_CLAIMED");
    assertThat(busy.get("error").get("current_holder").asString()).isEqualTo("w1");

    var tail = stream(claimed, path).get("tail_offset").asString();
    var ackUrl = "/v1/stream/__ds/subscriptions/" + id + "/ack";
    var ack =
        "{\"wake_id\":\"" + claimed.get("wake_id").asString() + "\",\"generation\":" + claimed.get("generation").asLong()
            + ",\"acks\":[{\"stream\":\"" + path + "\",\"offset\":\"" + tail + "\"}],\"done\":true}";
    var acked = f.call("POST", ackUrl, ack, "Authorization", "Bearer " + claimed.get("token").asString());
    assertThat(acked.status()).isEqualTo(200);
    assertThat(json(acked).get("next_wake").asBoolean()).isFalse();
    assertThat(f.call("POST", ackUrl, ack, "Authorization", "Bearer " + claimed.get("token").asString()).status()).isEqualTo(409);

    f.call("POST", "/v1/stream/" + path, "{\"event\":\"second\"}");
    var second = claim(id, "w1", 200);
    assertThat(second.get("generation").asLong()).isGreaterThan(claimed.get("generation").asLong());
    var release =
        f.call(
            "POST",
            "/v1/stream/__ds/subscriptions/" + id + "/release",
            "{\"wake_id\":\"" + second.get("wake_id").asString() + "\",\"generation\":" + second.get("generation").asLong() + "}",
            "Authorization",
            "Bearer " + second.get("token").asString());
    assertThat(release.status()).isEqualTo(204);
    // released unfinished: the work is still pending, so another worker can claim it at once
    assertThat(claim(id, "w2", 200).get("generation").asLong()).isGreaterThan(second.get("generation").asLong());
  }

  @Test
  void anExpiredLeaseLetsAnotherWorkerClaim() {
    var wake = SubscriptionFixture.name("wake");
    var prefix = SubscriptionFixture.name("lease");
    var id = SubscriptionFixture.name("sub");
    f.call("PUT", "/v1/stream/" + wake, "[]");
    f.putSubscription(
        id, "{\"type\":\"pull-wake\",\"pattern\":\"" + prefix + "/*\",\"wake_stream\":\"" + wake + "\",\"lease_ttl_ms\":1000}");
    f.call("PUT", "/v1/stream/" + prefix + "/s", "{\"event\":\"created\"}");
    // the append hook links the new stream in the background
    await().atMost(Duration.ofSeconds(10))
        .until(() -> json(f.call("GET", "/v1/stream/" + wake, null)).toString().contains("\"subscription_id\":\"" + id + "\""));
    var first = claim(id, "w1", 200);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> f.call("POST", "/v1/stream/__ds/subscriptions/" + id + "/claim", "{\"worker\":\"w2\"}").status() == 200);
    var late =
        f.call(
            "POST",
            "/v1/stream/__ds/subscriptions/" + id + "/ack",
            "{\"wake_id\":\"" + first.get("wake_id").asString() + "\",\"generation\":" + first.get("generation").asLong() + ",\"done\":true}",
            "Authorization",
            "Bearer " + first.get("token").asString());
    assertThat(late.status()).isEqualTo(409);
    assertThat(json(late).get("error").get("code").asString()).isEqualTo("FENCED");
  }
}
