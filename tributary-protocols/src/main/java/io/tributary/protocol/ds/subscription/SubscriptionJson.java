package io.tributary.protocol.ds.subscription;

import io.tributary.subscription.Subscription;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON shapes of subscriptions: the resource, its stream list, and its URLs. */
final class SubscriptionJson {
  /** Where the public signing keys are served, under the stream root. */
  static final String JWKS_PATH = StreamNames.ROOT + StreamNames.CONTROL + "/jwks.json";
  static final String SUBSCRIPTIONS_PATH = StreamNames.ROOT + StreamNames.CONTROL + "/subscriptions/";

  private static final JsonMapper JSON = JsonMapper.shared();

  private SubscriptionJson() {}

  /** The resource as {@code GET} (and a create) answers it; no secret is part of it. */
  static ObjectNode describe(Subscription s, String kid, String baseUrl) {
    var out = JSON.createObjectNode();
    out.put("id", s.id());
    out.put("subscription_id", s.id());
    out.put("type", s.type().wire());
    if (s.pattern() != null) {
      out.put("pattern", s.pattern());
    }
    out.set("streams", streams(s, false));
    if (s.webhookUrl() != null) {
      var webhook = out.putObject("webhook");
      webhook.put("url", s.webhookUrl());
      webhook.putObject("signing").put("alg", "ed25519").put("kid", kid).put("jwks_url", baseUrl + JWKS_PATH);
    }
    if (s.wakeStream() != null) {
      out.put("wake_stream", StreamNames.relative(s.wakeStream()));
    }
    out.put("lease_ttl_ms", s.leaseTtlMs());
    out.put("created_at", Instant.ofEpochMilli(s.createdAtMs()).toString());
    out.put("status", s.failed() ? "failed" : "active");
    if (s.description() != null) {
      out.put("description", s.description());
    }
    out.put("generation", s.generation());
    if (s.failed() && s.lastError() != null) {
      out.put("last_error", s.lastError());
    }
    return out;
  }

  /**
   * The linked streams with their acked and tail offsets. With {@code snapshot}, a stream's tail
   * is the one recorded when the open wake was made (what a wake is about), else the current one.
   */
  static ArrayNode streams(Subscription s, boolean snapshot) {
    var list = JSON.createArrayNode();
    for (var link : s.links().values()) {
      long tail = snapshot && link.wakePos() != null ? link.wakePos() : s.tail(link.path());
      list.addObject()
          .put("path", StreamNames.relative(link.path()))
          .put("link_type", link.explicit() ? "explicit" : "glob")
          .put("acked_offset", StreamNames.offset(link.ackedPos()))
          .put("tail_offset", StreamNames.offset(tail))
          .put("has_pending", tail > link.ackedPos());
    }
    return list;
  }

  /** The absolute URL of one of a subscription's action routes, e.g. {@code callback}. */
  static String actionUrl(Subscription s, String action) {
    return s.baseUrl() + SUBSCRIPTIONS_PATH
        + URLEncoder.encode(s.id(), StandardCharsets.UTF_8).replace("+", "%20") + "/" + action;
  }
}
