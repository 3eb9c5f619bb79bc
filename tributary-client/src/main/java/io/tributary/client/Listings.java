package io.tributary.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** The JSON shapes of the discovery routes. */
final class Listings {
  private Listings() {}

  static ExecutionSummary execution(JsonNode n) {
    return new ExecutionSummary(
        Wire.text(n, "execution_id"),
        n.path("created_at_ms").asLong(),
        Wire.text(n, "state"),
        n.path("attempt_count").asLong(),
        nullableLong(n, "current_attempt_index"),
        Wire.text(n, "close_reason"),
        nullableLong(n, "closed_at_ms"),
        n.path("frame_count").asLong(),
        n.path("total_bytes").asLong(),
        nullableLong(n, "summary_version"),
        nullableLong(n, "last_append_at_ms"));
  }

  static AttemptSummary attempt(JsonNode n) {
    return new AttemptSummary(
        n.path("attempt_index").asLong(),
        Wire.text(n, "state"),
        n.path("created_at_ms").asLong(),
        n.path("lease_epoch").asLong(),
        n.path("lease_expires_at_ms").asLong(),
        nullableLong(n, "closed_at_ms"),
        Wire.text(n, "close_reason"),
        n.path("frame_count").asLong(),
        n.path("total_bytes").asLong(),
        nullableLong(n, "summary_version"),
        nullableLong(n, "last_append_at_ms"));
  }

  static StreamListing stream(JsonNode n) {
    return new StreamListing(
        Wire.text(n, "path"),
        Wire.text(n, "content_type"),
        n.path("created_at_ms").asLong(),
        n.path("closed").asBoolean(),
        n.path("frame_count").asLong(),
        n.path("total_bytes").asLong(),
        nullableLong(n, "expires_at_ms"));
  }

  static List<AttemptSummary> attempts(JsonNode body) {
    return items(body, "attempts", Listings::attempt);
  }

  static <T> ListingPage<T> page(JsonNode body, String field, Function<JsonNode, T> item) {
    return new ListingPage<>(items(body, field, item), Wire.text(body, "next"));
  }

  private static <T> List<T> items(JsonNode body, String field, Function<JsonNode, T> item) {
    var out = new ArrayList<T>();
    for (var n : body.path(field)) {
      out.add(item.apply(n));
    }
    return out;
  }

  private static Long nullableLong(JsonNode n, String field) {
    var v = n.get(field);
    return v == null || v.isNull() ? null : v.asLong();
  }
}
