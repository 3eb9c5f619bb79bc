package io.tributary.protocol.rest;

import io.tributary.api.AppendOutcome;
import io.tributary.api.Handle;
import io.tributary.api.HandleCodec;
import io.tributary.api.StreamFrames;
import io.tributary.api.SummaryDocument;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON bodies of the REST API: what it reads from requests and writes into responses. */
final class RestJson {
  private static final JsonMapper MAPPER = JsonMapper.shared();

  private RestJson() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A JSON response; REST answers are never cached and never sniffed. */
  static HttpResponse response(int status, JsonNode body) {
    return response(status, MAPPER.writeValueAsBytes(body));
  }

  private static HttpResponse response(int status, byte[] json) {
    var headers =
        HttpHeaders.of(
            "Content-Type", "application/json",
            "Cache-Control", "no-store",
            "X-Content-Type-Options", "nosniff");
    return new HttpResponse.Full(status, headers, json);
  }

  /**
   * 200 with {@code {"frames":[outcome, …],"count":n}}, each outcome as {@link #appendOutcome}
   * writes it. Written as text straight away, not through a tree: a batch answers up to 1 000
   * outcomes, and ids and numbers need no escaping.
   */
  static HttpResponse appendOutcomes(List<AppendOutcome> outcomes) {
    var json = new StringBuilder(32 + 48 * outcomes.size()).append("{\"frames\":[");
    for (int i = 0; i < outcomes.size(); i++) {
      var o = outcomes.get(i);
      json.append(i == 0 ? "{\"id\":\"" : ",{\"id\":\"").append(o.id()).append("\",\"frame_count\":").append(o.frameCount());
      if (o.summaryVersion() != null) {
        json.append(",\"summary_version\":").append(o.summaryVersion().longValue());
      }
      if (o.replayed()) {
        json.append(",\"replayed\":true");
      }
      json.append('}');
    }
    json.append("],\"count\":").append(outcomes.size()).append('}');
    return response(200, json.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** The error envelope {@code {"error","kind","retryable"}}. */
  static HttpResponse error(int status, String message, String kind, boolean retryable) {
    var body = object().put("error", message).put("kind", kind).put("retryable", retryable);
    return response(status, body);
  }

  /**
   * The request body as a JSON object; an empty body is an empty object.
   *
   * @throws RestException 400 when the body is not a JSON object
   */
  static ObjectNode bodyObject(HttpRequest request) {
    if (request.body().length == 0) {
      return object();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(request.body());
    } catch (JacksonException e) {
      throw RestException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      return object();
    }
    if (!node.isObject()) {
      throw RestException.badRequest("request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /** {@code {"frames":[{"id","fields":{sorted}}],"count",closed_at?,closed_reason?}}. */
  static ObjectNode frames(StreamFrames batch) {
    var body = object();
    var frames = body.putArray("frames");
    for (var frame : batch.frames()) {
      var entry = frames.addObject();
      entry.put("id", frame.id().toString());
      var fields = entry.putObject("fields");
      FrameFields.of(frame).forEach(fields::put);
    }
    body.put("count", batch.frames().size());
    if (batch.closedAt() != null) {
      body.put("closed_at", batch.closedAt());
    }
    if (batch.closedReason() != null) {
      body.put("closed_reason", batch.closedReason());
    }
    return body;
  }

  /** The handle token plus its decoded lease, for workers that need the expiry or epoch. */
  static ObjectNode handle(HandleCodec codec, Handle h) {
    return object()
        .put("handle", codec.toToken(h))
        .put("execution_id", h.executionId().toString())
        .put("attempt_index", h.attemptIndex())
        .put("attempt_id", h.attemptId().toString())
        .put("lease_id", h.leaseId().toString())
        .put("lease_epoch", h.leaseEpoch())
        .put("lease_ttl_ms", h.leaseTtlMs())
        .put("lease_expires_at_ms", h.leaseExpiresAtMs());
  }

  static ObjectNode appendOutcome(AppendOutcome outcome) {
    var body = object().put("id", outcome.id().toString()).put("frame_count", outcome.frameCount());
    if (outcome.summaryVersion() != null) {
      body.put("summary_version", outcome.summaryVersion());
    }
    if (outcome.replayed()) {
      body.put("replayed", true);
    }
    return body;
  }

  static ObjectNode summary(SummaryDocument doc) {
    var body = object();
    body.set("document", MAPPER.readTree(doc.documentJson()));
    return body.put("version", doc.version())
        .put("patch_kind", doc.patchKind().wire())
        .put("last_updated_ms", doc.lastUpdatedMs())
        .put("first_applied_ms", doc.firstAppliedMs());
  }
}
