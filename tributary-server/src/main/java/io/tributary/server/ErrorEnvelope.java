package io.tributary.server;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON error body every route and the web server itself answer with: {@code {"error": what
 * went wrong, "kind": a stable machine-readable word, "retryable": whether trying again may
 * help}}.
 */
final class ErrorEnvelope {
  private static final JsonMapper JSON = JsonMapper.shared();

  private ErrorEnvelope() {}

  /** The kind a bare HTTP status stands for, when the web server (not a route) answers. */
  static String kindOf(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 411 -> "length_required";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 417 -> "expectation_failed";
      case 431 -> "headers_too_large";
      case 501 -> "not_implemented";
      case 503 -> "unavailable";
      case 505 -> "http_version_not_supported";
      default -> status >= 500 ? "internal" : "bad_request";
    };
  }

  static byte[] body(String error, String kind, boolean retryable) {
    var node = JSON.createObjectNode().put("error", error).put("kind", kind).put("retryable", retryable);
    return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
  }

  static HttpResponse.Full response(int status, String error, String kind, boolean retryable) {
    return new HttpResponse.Full(status, jsonHeaders(), body(error, kind, retryable));
  }

  /** A JSON answer the server itself gives (not a protocol handler): never cached. */
  static HttpResponse.Full json(int status, tools.jackson.databind.JsonNode body) {
    return new HttpResponse.Full(status, jsonHeaders(), JSON.writeValueAsBytes(body));
  }

  static HttpHeaders jsonHeaders() {
    return HttpHeaders.of(
        "Content-Type", "application/json",
        "Cache-Control", "no-store",
        "X-Content-Type-Options", "nosniff");
  }
}
