package io.tributary.protocol.ds.subscription;

import io.tributary.subscription.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a {@code PUT __ds/subscriptions/{id}} asks for, validated.
 *
 * @param pattern a glob over stream names, or null
 * @param streams explicit stream names (relative, normalised)
 * @param webhookUrl the receiver of a webhook subscription
 * @param wakeStream the name of a pull-wake subscription's wake stream
 */
record SubscriptionSpec(
    Subscription.Type type,
    String pattern,
    List<String> streams,
    String webhookUrl,
    String wakeStream,
    long leaseTtlMs,
    String description) {
  static final long DEFAULT_LEASE_TTL_MS = 30_000;
  static final long MIN_LEASE_TTL_MS = 1_000;
  static final long MAX_LEASE_TTL_MS = 600_000;

  private static final JsonMapper JSON = JsonMapper.shared();

  /**
   * Parses a creation body.
   *
   * @throws SubscriptionFault {@code INVALID_REQUEST} naming what is wrong
   */
  static SubscriptionSpec parse(byte[] body) {
    var root = object(body);
    var type = Subscription.Type.ofWire(text(root, "type"));
    if (type == null) {
      throw SubscriptionFault.invalid("type must be \"webhook\" or \"pull-wake\"");
    }
    var pattern = text(root, "pattern");
    pattern = pattern == null || pattern.isEmpty() ? null : StreamNames.normalize(pattern);
    var streams = names(root.get("streams"), "streams");
    if (pattern == null && streams.isEmpty()) {
      throw SubscriptionFault.invalid("give a pattern, a non-empty streams list, or both");
    }
    long ttl = DEFAULT_LEASE_TTL_MS;
    var ttlNode = root.get("lease_ttl_ms");
    if (ttlNode != null && !ttlNode.isNull()) {
      if (!ttlNode.isIntegralNumber() || ttlNode.asLong() < MIN_LEASE_TTL_MS || ttlNode.asLong() > MAX_LEASE_TTL_MS) {
        throw SubscriptionFault.invalid(
            "lease_ttl_ms must be an integer from " + MIN_LEASE_TTL_MS + " to " + MAX_LEASE_TTL_MS);
      }
      ttl = ttlNode.asLong();
    }
    String url = null;
    if (type == Subscription.Type.WEBHOOK) {
      var webhook = root.get("webhook");
      url = webhook != null && webhook.isObject() ? text((ObjectNode) webhook, "url") : null;
      if (url == null || url.isEmpty()) {
        throw SubscriptionFault.invalid("webhook subscriptions need webhook.url");
      }
    }
    var wake = text(root, "wake_stream");
    wake = wake == null || wake.isEmpty() ? null : StreamNames.normalize(wake);
    if (type == Subscription.Type.PULL_WAKE && (wake == null || wake.isEmpty())) {
      throw SubscriptionFault.invalid("pull-wake subscriptions need wake_stream");
    }
    if (wake != null && StreamNames.isControl(wake)) {
      throw SubscriptionFault.invalid("wake_stream must not be under " + StreamNames.CONTROL);
    }
    return new SubscriptionSpec(type, pattern, streams, url, wake, ttl, text(root, "description"));
  }

  /** Parses {@code {"streams":[...]}} of {@code POST .../streams}. */
  static List<String> parseStreams(byte[] body) {
    var streams = names(object(body).get("streams"), "streams");
    if (streams.isEmpty()) {
      throw SubscriptionFault.invalid("streams must be a non-empty array of stream names");
    }
    return streams;
  }

  /**
   * Canonical JSON of this spec: a second PUT with an equal one re-confirms the subscription, any
   * other gets 409.
   */
  String canonical() {
    var node = JSON.createObjectNode();
    node.put("type", type.wire());
    node.put("pattern", pattern);
    var list = node.putArray("streams");
    new TreeSet<>(streams).forEach(list::add);
    node.put("webhook_url", webhookUrl);
    node.put("wake_stream", wakeStream);
    node.put("lease_ttl_ms", leaseTtlMs);
    node.put("description", description);
    return JSON.writeValueAsString(node);
  }

  static ObjectNode object(byte[] body) {
    JsonNode node;
    try {
      node = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (JacksonException e) {
      throw SubscriptionFault.invalid("the body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw SubscriptionFault.invalid("the body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  static String text(ObjectNode node, String field) {
    var v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      throw SubscriptionFault.invalid(field + " must be a string");
    }
    return v.asString();
  }

  private static List<String> names(JsonNode node, String field) {
    var out = new ArrayList<String>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw SubscriptionFault.invalid(field + " must be an array of stream names");
    }
    for (var item : node) {
      var name = item.isString() ? StreamNames.normalize(item.asString()) : "";
      if (name.isEmpty() || StreamNames.isControl(name)) {
        throw SubscriptionFault.invalid(field + " must hold stream names (non-empty strings, not under __ds)");
      }
      if (!out.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }
}
