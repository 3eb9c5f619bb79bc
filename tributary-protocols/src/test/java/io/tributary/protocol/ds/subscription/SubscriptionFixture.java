package io.tributary.protocol.ds.subscription;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresSubscriptionStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.protocol.ds.DurableStreamsConfig;
import io.tributary.protocol.ds.DurableStreamsHandler;
import io.tributary.testing.EmbeddedPostgres;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A Durable Streams handler with subscriptions on its own embedded database, fast retries. */
final class SubscriptionFixture implements AutoCloseable {
  static final String HOST = "127.0.0.1:4437";
  static final SubscriptionConfig CONFIG =
      new SubscriptionConfig(
          WebhookTargets.parse(WebhookTargets.DEFAULT_ALLOWED), 5, Duration.ofMillis(50), Duration.ofSeconds(5),
          Duration.ofMillis(100));
  private static final AtomicInteger names = new AtomicInteger();
  private static final JsonMapper JSON = JsonMapper.shared();

  final Database db;
  final Subscriptions subscriptions;
  final DurableStreamsHandler handler;

  SubscriptionFixture(String database) {
    db = Database.open(StoreConfig.builder(EmbeddedPostgres.createDatabase(database)).user("postgres").poolSize(6).build());
    var named = new PostgresNamedStreamStore(db);
    subscriptions = Subscriptions.start(new PostgresSubscriptionStore(db), named, CONFIG);
    handler =
        new DurableStreamsHandler(
            named, null, DurableStreamsConfig.withLongPollTimeout(Duration.ofMillis(300)), subscriptions);
  }

  static String name(String prefix) {
    return prefix + "-" + names.incrementAndGet();
  }

  HttpResponse.Full call(String method, String path, String body, String... headers) {
    var h = HttpHeaders.of(headers).add("Host", HOST);
    if (body != null && !h.has("Content-Type")) {
      h.set("Content-Type", "application/json");
    }
    var r = handler.handle(new HttpRequest(method, path, "", h, body == null ? new byte[0] : body.getBytes(UTF_8)));
    return (HttpResponse.Full) r;
  }

  HttpResponse.Full putSubscription(String id, String body) {
    return call("PUT", "/v1/stream/__ds/subscriptions/" + id, body);
  }

  JsonNode getSubscription(String id) {
    return json(call("GET", "/v1/stream/__ds/subscriptions/" + id, null));
  }

  static JsonNode json(HttpResponse.Full r) {
    return JSON.readTree(r.body());
  }

  static JsonNode json(String s) {
    return JSON.readTree(s);
  }

  /** The linked stream {@code name} of a subscription resource, or null. */
  static JsonNode stream(JsonNode subscription, String name) {
    for (var s : subscription.get("streams")) {
      if (s.get("path").asString().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** True when {@code header} is a valid signature of {@code body} by a key in {@code jwks}. */
  static boolean verifies(String body, String header, JsonNode jwks) throws Exception {
    var m = java.util.regex.Pattern.compile("t=(\\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)").matcher(header);
    if (!m.matches()) {
      return false;
    }
    for (var key : jwks.get("keys")) {
      if (!key.get("kid").asString().equals(m.group(2))) {
        continue;
      }
      var raw = Base64.getUrlDecoder().decode(key.get("x").asString());
      var spki = new byte[12 + raw.length];
      System.arraycopy(HexFormat.of().parseHex("302a300506032b6570032100"), 0, spki, 0, 12);
      System.arraycopy(raw, 0, spki, 12, raw.length);
      var verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
      verifier.update((m.group(1) + "." + body).getBytes(UTF_8));
      return verifier.verify(Base64.getUrlDecoder().decode(m.group(3)));
    }
    return false;
  }

  @Override
  public void close() {
    subscriptions.close();
    db.close();
  }
}
