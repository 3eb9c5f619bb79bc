package io.tributary.protocol.rest;

import io.tributary.api.StreamCursor;

/**
 * Query of {@code GET …/stream}: {@code from} (default {@code start}), {@code to} (default {@code
 * end}), {@code limit} (default 100, 1..1000).
 */
record ReadParams(StreamCursor from, StreamCursor to, int limit) {
  static final int DEFAULT_LIMIT = 100;
  static final int LIMIT_CEILING = 1_000;

  /**
   * Parses and checks, in the reference's order: every parameter's syntax first, then {@code
   * limit == 0}, then {@code limit > 1000}.
   */
  static ReadParams parse(QueryParams q) {
    var from = q.cursor("from", StreamCursor.START);
    var to = q.cursor("to", StreamCursor.END);
    long limit = q.unsigned("limit", DEFAULT_LIMIT);
    if (limit == 0) {
      throw RestException.badRequest("limit must be >= 1");
    }
    if (limit > LIMIT_CEILING) {
      throw RestException.badRequest(
          "limit exceeds REST ceiling " + LIMIT_CEILING + "; paginate via from/to for larger spans");
    }
    return new ReadParams(from, to, (int) limit);
  }
}
