package io.tributary.protocol.ds;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpResponse;
import tools.jackson.databind.json.JsonMapper;

/** Responses shared by the endpoints: errors and empty answers, all with the common headers. */
final class DsResponses {
  private static final JsonMapper MAPPER = JsonMapper.shared();

  private DsResponses() {}

  /** An error with body {@code {"error":{"code":...,"message":...}}}; never cached. */
  static HttpResponse.Full error(int status, String code, String message) {
    return error(status, code, message, null, null);
  }

  /** An error whose body carries one more field (when {@code field} is not null) next to the code. */
  static HttpResponse.Full error(int status, String code, String message, String field, String value) {
    var body = MAPPER.createObjectNode();
    var error = body.putObject("error").put("code", code).put("message", message);
    if (field != null) {
      error.put(field, value);
    }
    var headers =
        DsHeaders.base().set("Content-Type", "application/json").set("Cache-Control", "no-store");
    return new HttpResponse.Full(status, headers, MAPPER.writeValueAsBytes(body));
  }

  /** Seconds a 503 asks the client to wait before retrying. */
  static final int RETRY_AFTER_SECONDS = 1;

  /**
   * 503 with {@code Retry-After} and {@code "retryable":true} in the error object: the request
   * may succeed later (database unreachable, shutting down).
   */
  static HttpResponse.Full unavailable(String message) {
    var body = MAPPER.createObjectNode();
    body.putObject("error").put("code", "UNAVAILABLE").put("message", message).put("retryable", true);
    var headers =
        DsHeaders.base()
            .set("Content-Type", "application/json")
            .set("Cache-Control", "no-store")
            .set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    return new HttpResponse.Full(503, headers, MAPPER.writeValueAsBytes(body));
  }

  static HttpResponse.Full error(DsException e) {
    return error(e.status(), e.code(), e.getMessage());
  }

  static HttpResponse.Full notFound(String path) {
    return error(404, "STREAM_NOT_FOUND", "no stream at " + path);
  }

  static HttpResponse.Full gone(String path) {
    return error(
        410, "STREAM_GONE", "the stream at " + path + " was deleted; its forks still read it");
  }

  static HttpResponse.Full empty(int status, HttpHeaders headers) {
    return new HttpResponse.Full(status, headers, new byte[0]);
  }
}
