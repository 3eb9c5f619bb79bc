package io.tributary.protocol.ds.subscription;

import static io.tributary.protocol.ds.subscription.SubscriptionFixture.json;
import static io.tributary.protocol.ds.subscription.SubscriptionFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SubscriptionLifecycleTest {
  private static SubscriptionFixture f;

  @BeforeAll
  static void start() {
    f = new SubscriptionFixture("subscription_lifecycle");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String webhook(String pattern, String url) {
    return "{\"type\":\"webhook\",\"pattern\":\"" + pattern + "\",\"webhook\":{\"url\":\"" + url
        + "\"},\"lease_ttl_ms\":1000,\"description\":\"d\"}";
  }

  @Test
  void createsConfirmsRefusesAnotherConfigAndDeletes() {
    var id = SubscriptionFixture.name("sub");
    var body = webhook("life/*", "http://127.0.0.1:9/hook");
    var created = f.putSubscription(id, body);
    assertThat(created.status()).isEqualTo(201);
    var json = json(created);
    assertThat(json.get("id").asString()).isEqualTo(id);
    assertThat(json.get("type").asString()).isEqualTo("webhook");
    assertThat(json.has("webhook_secret")).isFalse();
    var signing = json.get("webhook").get("signing");
    assertThat(signing.get("alg").asString()).isEqualTo("ed25519");
    assertThat(signing.get("kid").asString()).startsWith("ds_");
    assertThat(signing.get("jwks_url").asString()).isEqualTo("http://127.0.0.1:4437/v1/stream/__ds/jwks.json");

    var jwks = f.call("GET", "/v1/stream/__ds/jwks.json", null);
    assertThat(jwks.status()).isEqualTo(200);
    assertThat(jwks.headers().first("Content-Type")).isEqualTo("application/jwk-set+json");
    var key = json(jwks).get("keys").get(0);
    assertThat(key.get("kid").asString()).isEqualTo(signing.get("kid").asString());
    assertThat(key.get("kty").asString()).isEqualTo("OKP");
    assertThat(key.get("crv").asString()).isEqualTo("Ed25519");
    assertThat(key.get("alg").asString()).isEqualTo("EdDSA");

    assertThat(f.putSubscription(id, body).status()).isEqualTo(200);
    var other = f.putSubscription(id, webhook("life/**", "http://127.0.0.1:9/hook"));
    assertThat(other.status()).isEqualTo(409);
    assertThat(json(other).get("error").get("code").asString()).isEqualTo("SUBSCRIPTION_ALREADY_EXISTS");
    assertThat(f.getSubscription(id).get("pattern").asString()).isEqualTo("life/*");

    assertThat(f.call("DELETE", "/v1/stream/__ds/subscriptions/" + id, null).status()).isEqualTo(204);
    var gone = f.call("GET", "/v1/stream/__ds/subscriptions/" + id, null);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(json(gone).get("error").get("code").asString()).isEqualTo("SUBSCRIPTION_NOT_FOUND");
  }

  @Test
  void linksExistingMatchesAtTheirTailAndExplicitStreamsOnRequest() {
    var prefix = SubscriptionFixture.name("pre");
    assertThat(f.call("PUT", "/v1/stream/" + prefix + "/old", "[{\"a\":1}]").status()).isEqualTo(201);
    var id = SubscriptionFixture.name("sub");
    var created =
        f.putSubscription(
            id,
            "{\"type\":\"webhook\",\"pattern\":\"" + prefix + "/*\",\"streams\":[\"manual/a\"],"
                + "\"webhook\":{\"url\":\"http://127.0.0.1:9/hook\"}}");
    assertThat(created.status()).isEqualTo(201);
    var old = stream(json(created), prefix + "/old");
    assertThat(old.get("link_type").asString()).isEqualTo("glob");
    assertThat(old.get("acked_offset").asString()).isEqualTo(old.get("tail_offset").asString());
    assertThat(old.get("has_pending").asBoolean()).isFalse();
    assertThat(stream(json(created), "manual/a").get("link_type").asString()).isEqualTo("explicit");

    var base = "/v1/stream/__ds/subscriptions/" + id + "/streams";
    assertThat(f.call("POST", base, "{\"streams\":[\"manual/b\"]}").status()).isEqualTo(204);
    assertThat(stream(f.getSubscription(id), "manual/b")).isNotNull();
    assertThat(f.call("DELETE", base + "/manual/b", null).status()).isEqualTo(204);
    assertThat(stream(f.getSubscription(id), "manual/b")).isNull();
    assertThat(stream(f.getSubscription(id), "manual/a")).isNotNull();

    var bad = f.call("POST", base, "{\"streams\":[]}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(json(bad).get("error").get("code").asString()).isEqualTo("INVALID_REQUEST");
    assertThat(f.call("POST", "/v1/stream/__ds/subscriptions/nope-" + id + "/streams", "{\"streams\":[\"x\"]}").status())
        .isEqualTo(404);
  }

  @Test
  void rejectsBadCreationBodiesWithTheReason() {
    var id = SubscriptionFixture.name("bad");
    var cases =
        new String[] {
          "not json",
          "[]",
          "{\"type\":\"email\",\"pattern\":\"a/*\"}",
          "{\"type\":\"webhook\",\"webhook\":{\"url\":\"http://127.0.0.1:9/\"}}",
          "{\"type\":\"webhook\",\"pattern\":\"a/*\"}",
          "{\"type\":\"pull-wake\",\"pattern\":\"a/*\"}",
          "{\"type\":\"pull-wake\",\"pattern\":\"a/*\",\"wake_stream\":\"w\",\"lease_ttl_ms\":10}",
        };
    for (var body : cases) {
      var r = f.putSubscription(id, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(json(r).get("error").get("code").asString()).as(body).isEqualTo("INVALID_REQUEST");
    }
    assertThat(f.call("GET", "/v1/stream/__ds/subscriptions/" + id, null).status()).isEqualTo(404);
  }

  @Test
  void rejectsUnsafeWebhookTargetsAndStoresNothing() {
    var unsafe =
        new String[] {
          "http://10.0.0.1/hook",
          "http://192.168.1.10/hook",
          "http://172.16.0.5/hook",
          "http://169.254.169.254/latest/meta-data",
          "http://100.64.0.1/hook",
          "http://0.0.0.0/hook",
          "http://[fe80::1]/hook",
          "http://[fd00::1]/hook",
          "http://[::ffff:10.0.0.1]/hook",
          "https://8.8.8.8/hook",
          "ftp://127.0.0.1/hook",
          "http://user:pw@127.0.0.1/hook",
        };
    for (var url : unsafe) {
      var id = SubscriptionFixture.name("ssrf");
      var r = f.putSubscription(id, webhook("x/*", url));
      assertThat(r.status()).as(url).isEqualTo(400);
      assertThat(json(r).get("error").get("code").asString()).as(url).isEqualTo("WEBHOOK_URL_REJECTED");
      assertThat(f.call("GET", "/v1/stream/__ds/subscriptions/" + id, null).status()).as(url).isEqualTo(404);
    }
    for (var url : new String[] {"http://127.0.0.1:9/hook", "http://127.0.0.2:9/hook", "http://[::1]:9/hook"}) {
      assertThat(f.putSubscription(SubscriptionFixture.name("ok"), webhook("x/*", url)).status()).as(url).isEqualTo(201);
    }
  }

  @Test
  void reservesTheControlPrefixForStreams() {
    for (var path : new String[] {"/v1/stream/__ds", "/v1/stream/__ds/mine", "/v1/stream/__ds/subscriptions"}) {
      var put = f.call("PUT", path, "[1]");
      assertThat(put.status()).as(path).isEqualTo(404);
      assertThat(json(put).get("error").get("code").asString()).as(path).isEqualTo("RESERVED_PATH");
      assertThat(f.call("POST", path, "[1]").status()).as(path).isEqualTo(404);
      assertThat(f.call("GET", path, null).status()).as(path).isEqualTo(404);
    }
    // an ordinary stream whose name merely contains __ds is fine
    assertThat(f.call("PUT", "/v1/stream/" + SubscriptionFixture.name("x") + "/__ds", "[1]").status()).isEqualTo(201);
  }
}
