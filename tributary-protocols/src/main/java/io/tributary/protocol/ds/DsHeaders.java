package io.tributary.protocol.ds;

import io.tributary.protocol.HttpHeaders;

/**
 * Header names of the Durable Streams protocol and the headers every response carries: browser
 * hardening ({@code nosniff}, a cross-origin resource policy) and CORS, on errors too.
 */
final class DsHeaders {
  private DsHeaders() {}

  static final String NEXT_OFFSET = "Stream-Next-Offset";
  static final String UP_TO_DATE = "Stream-Up-To-Date";
  static final String CURSOR = "Stream-Cursor";
  static final String CLOSED = "Stream-Closed";
  static final String TTL = "Stream-TTL";
  static final String EXPIRES_AT = "Stream-Expires-At";
  static final String SEQ = "Stream-Seq";
  static final String FORKED_FROM = "Stream-Forked-From";
  static final String FORK_OFFSET = "Stream-Fork-Offset";
  static final String FORK_SUB_OFFSET = "Stream-Fork-Sub-Offset";
  static final String SSE_DATA_ENCODING = "Stream-SSE-Data-Encoding";
  static final String PRODUCER_ID = "Producer-Id";
  static final String PRODUCER_EPOCH = "Producer-Epoch";
  static final String PRODUCER_SEQ = "Producer-Seq";
  static final String PRODUCER_EXPECTED_SEQ = "Producer-Expected-Seq";
  static final String PRODUCER_RECEIVED_SEQ = "Producer-Received-Seq";

  private static final String EXPOSED =
      String.join(
          ", ",
          NEXT_OFFSET,
          UP_TO_DATE,
          CURSOR,
          CLOSED,
          TTL,
          EXPIRES_AT,
          SSE_DATA_ENCODING,
          AttemptStreamEndpoint.EARLIEST_OFFSET,
          PRODUCER_EPOCH,
          PRODUCER_SEQ,
          PRODUCER_EXPECTED_SEQ,
          PRODUCER_RECEIVED_SEQ,
          "ETag",
          "Location",
          "Content-Type");

  private static final String ALLOWED_REQUEST_HEADERS =
      String.join(
          ", ",
          "Content-Type",
          "Authorization",
          "If-None-Match",
          SEQ,
          TTL,
          EXPIRES_AT,
          CLOSED,
          FORKED_FROM,
          FORK_OFFSET,
          FORK_SUB_OFFSET,
          PRODUCER_ID,
          PRODUCER_EPOCH,
          PRODUCER_SEQ);

  static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";

  /** Fresh headers with the hardening and CORS headers every response carries. */
  static HttpHeaders base() {
    return HttpHeaders.of(
        "X-Content-Type-Options", "nosniff",
        "Cross-Origin-Resource-Policy", "cross-origin",
        "Access-Control-Allow-Origin", "*",
        "Access-Control-Expose-Headers", EXPOSED);
  }

  /**
   * Headers of an SSE response. {@code X-Accel-Buffering: no} makes nginx pass each event on as
   * it comes, whatever its {@code proxy_buffering} (other proxies ignore the header).
   */
  static HttpHeaders sse() {
    return base()
        .set("Content-Type", "text/event-stream")
        .set("Cache-Control", "no-cache")
        .set("X-Accel-Buffering", "no");
  }

  /** Headers of a CORS preflight answer. */
  static HttpHeaders preflight() {
    return base()
        .set("Access-Control-Allow-Methods", ALLOWED_METHODS)
        .set("Access-Control-Allow-Headers", ALLOWED_REQUEST_HEADERS)
        .set("Access-Control-Max-Age", "86400");
  }
}
