package io.tributary.protocol.rest;

import io.tributary.api.StreamCursor;
import io.tributary.api.StreamStore;

/**
 * Query of {@code GET …/stream/tail}: {@code after} (default {@code 0-0}, must be concrete),
 * {@code block_ms} (default 0, at most 30000), {@code limit} (default 50, 1..1000).
 */
record TailParams(StreamCursor.At after, long blockMs, int limit) {
  static final int DEFAULT_LIMIT = 50;

  /**
   * Parses and checks, in the reference's order: every parameter's syntax first, then {@code
   * block_ms}, {@code limit == 0}, {@code limit > 1000}, and last that {@code after} is concrete.
   */
  static TailParams parse(QueryParams q) {
    var after = q.cursor("after", StreamCursor.fromBeginning());
    long blockMs = q.unsigned("block_ms", 0);
    long limit = q.unsigned("limit", DEFAULT_LIMIT);
    if (blockMs > StreamStore.MAX_TAIL_BLOCK_MS) {
      throw RestException.badRequest(
          "block_ms exceeds " + StreamStore.MAX_TAIL_BLOCK_MS + "ms ceiling");
    }
    if (limit == 0) {
      throw RestException.badRequest("limit must be >= 1");
    }
    if (limit > ReadParams.LIMIT_CEILING) {
      throw RestException.badRequest(
          "limit exceeds REST ceiling "
              + ReadParams.LIMIT_CEILING
              + "; paginate via after for larger spans");
    }
    if (!(after instanceof StreamCursor.At at)) {
      throw RestException.badRequest(
          "after: XREAD cursor must be a concrete entry id; pass '0-0' to start from the beginning");
    }
    return new TailParams(at, blockMs, (int) limit);
  }
}
