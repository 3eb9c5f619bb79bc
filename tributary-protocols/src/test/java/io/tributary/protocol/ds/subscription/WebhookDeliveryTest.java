package io.tributary.protocol.ds.subscription;

import static io.tributary.protocol.ds.subscription.SubscriptionFixture.json;
import static io.tributary.protocol.ds.subscription.SubscriptionFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static SubscriptionFixture f;

  @BeforeAll
  static void start() {
    f = new SubscriptionFixture("subscription_delivery");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String subscribe(String prefix, WebhookReceiver receiver) {
    var id = SubscriptionFixture.name("sub");
    var r =
        f.putSubscription(
            id,
            "{\"type\":\"webhook\",\"pattern\":\"" + prefix + "/*\",\"webhook\":{\"url\":\"" + receiver.url()
                + "\"},\"lease_ttl_ms\":5000}");
    assertThat(r.status()).isEqualTo(201);
    return id;
  }

  @Test
  void retriesWithBackoffUntilTheReceiverTakesItThenAutoAcksOnDone() throws Exception {
    try (var receiver =
        new WebhookReceiver(n -> n <= 2 ? new WebhookReceiver.Answer(500, "") : new WebhookReceiver.Answer(200, "{\"done\":true}"))) {
      var prefix = SubscriptionFixture.name("retry");
      var id = subscribe(prefix, receiver);
      var path = prefix + "/s";
      assertThat(f.call("PUT", "/v1/stream/" + path, "{\"event\":\"created\"}").status()).isEqualTo(201);

      await().atMost(WAIT).until(() -> receiver.received().size() >= 3);
      var jwks = json(f.call("GET", "/v1/stream/__ds/jwks.json", null));
      var first = json(receiver.received().getFirst().body());
      for (var d : receiver.received()) {
        var body = json(d.body());
        assertThat(SubscriptionFixture.verifies(d.body(), d.signature(), jwks)).isTrue();
        assertThat(body.get("subscription_id").asString()).isEqualTo(id);
        assertThat(body.get("wake_id").asString()).isEqualTo(first.get("wake_id").asString());
        assertThat(body.get("generation").asLong()).isEqualTo(1);
        assertThat(body.get("callback_url").asString())
            .isEqualTo("http://127.0.0.1:4437/v1/stream/__ds/subscriptions/" + id + "/callback");
        assertThat(stream(body, path).get("has_pending").asBoolean()).isTrue();
      }
      var tail = stream(first, path).get("tail_offset").asString();
      await().atMost(WAIT).until(() -> stream(f.getSubscription(id), path).get("acked_offset").asString().equals(tail));
      assertThat(f.getSubscription(id).get("status").asString()).isEqualTo("active");
      // a forged signature does not verify against the JWKS
      assertThat(SubscriptionFixture.verifies(receiver.received().getFirst().body() + " ", receiver.received().getFirst().signature(), jwks))
          .isFalse();
    }
  }

  @Test
  void aCallbackAcksOnceAndAStaleOneIsFenced() throws Exception {
    try (var receiver = new WebhookReceiver(n -> new WebhookReceiver.Answer(200, "{}"))) {
      var prefix = SubscriptionFixture.name("fence");
      var id = subscribe(prefix, receiver);
      var path = prefix + "/s";
      f.call("PUT", "/v1/stream/" + path, "{\"event\":\"created\"}");
      await().atMost(WAIT).until(() -> receiver.received().size() == 1);
      var n = json(receiver.received().getFirst().body());
      var callback = "/v1/stream/__ds/subscriptions/" + id + "/callback";
      var token = n.get("callback_token").asString();
      var tail = stream(n, path).get("tail_offset").asString();
      var ack =
          "{\"wake_id\":\"" + n.get("wake_id").asString() + "\",\"generation\":" + n.get("generation").asLong()
              + ",\"acks\":[{\"stream\":\"" + path + "\",\"offset\":\"" + tail + "\"}],\"done\":true}";

      var noToken = f.call("POST", callback, ack);
      assertThat(noToken.status()).isEqualTo(401);
      assertThat(f.call("POST", callback, ack, "Authorization", "Bearer forged.token").status()).isEqualTo(401);

      var ok = f.call("POST", callback, ack, "Authorization", "Bearer " + token);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(json(ok).get("ok").asBoolean()).isTrue();
      assertThat(json(ok).get("next_wake").asBoolean()).isFalse();
      assertThat(stream(f.getSubscription(id), path).get("acked_offset").asString()).isEqualTo(tail);

      var stale = f.call("POST", callback, ack, "Authorization", "Bearer " + token);
      assertThat(stale.status()).isEqualTo(409);
      assertThat(json(stale).get("error").get("code").asString()).isEqualTo("FENCED");

      // more data opens the next wake, with the next generation
      assertThat(f.call("POST", "/v1/stream/" + path, "{\"event\":\"more\"}").status()).isEqualTo(204);
      await().atMost(WAIT).until(() -> receiver.received().size() == 2);
      var second = json(receiver.received().get(1).body());
      assertThat(second.get("generation").asLong()).isEqualTo(2);
      assertThat(second.get("wake_id").asString()).isNotEqualTo(n.get("wake_id").asString());
      var behind =
          "{\"wake_id\":\"" + second.get("wake_id").asString() + "\",\"generation\":2,"
              + "\"acks\":[{\"stream\":\"" + path + "\",\"offset\":\"0000000000000000_0000000000000000\"}]}";
      var regress = f.call("POST", callback, behind, "Authorization", "Bearer " + second.get("callback_token").asString());
      assertThat(regress.status()).isEqualTo(409);
      assertThat(json(regress).get("error").get("code").asString()).isEqualTo("INVALID_OFFSET");
    }
  }

  @Test
  void givesUpAfterTheConfiguredAttemptsAndTriesAgainOnTheNextAppend() throws Exception {
    try (var receiver = new WebhookReceiver(n -> new WebhookReceiver.Answer(503, ""))) {
      var prefix = SubscriptionFixture.name("giveup");
      var id = subscribe(prefix, receiver);
      var path = "/v1/stream/" + prefix + "/s";
      f.call("PUT", path, "{\"event\":\"created\"}");
      int max = SubscriptionFixture.CONFIG.maxAttempts();
      await().atMost(WAIT).until(() -> receiver.received().size() >= max && f.getSubscription(id).get("status").asString().equals("failed"));
      // the backoff of the last retry would be 16 x 50 ms; well past it, nothing more was sent
      Thread.sleep(1_500);
      assertThat(receiver.received()).hasSize(max);
      assertThat(f.getSubscription(id).get("last_error").asString()).contains("503");

      f.call("POST", path, "{\"event\":\"again\"}");
      await().atMost(WAIT).until(() -> receiver.received().size() > max);
    }
  }
}
