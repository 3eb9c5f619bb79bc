package io.tributary.protocol.ds;

import io.tributary.protocol.HttpRequest;

/**
 * The query of a read ({@code GET}): where to start, which live mode, and the echoed cursor.
 * Unknown parameters are ignored.
 *
 * @param offset the start position ({@code -1} when absent)
 * @param live catch-up, long-poll or SSE
 * @param cursor the client's {@code cursor} echo, or null
 */
record ReadParams(DsOffset offset, Live live, String cursor) {
  /** The read mode, from {@code live=}. */
  enum Live {
    NONE,
    LONG_POLL,
    SSE
  }

  static ReadParams parse(HttpRequest req) {
    var query = req.query();
    var liveValues = query.get("live");
    var live = liveValues == null ? Live.NONE : liveOf(liveValues.getFirst());
    var offsets = query.get("offset");
    if (live != Live.NONE && offsets == null) {
      throw DsException.badRequest("live reads need an offset: use -1, now, or a returned offset");
    }
    var cursors = query.get("cursor");
    return new ReadParams(DsOffset.parse(offsets), live, cursors == null ? null : cursors.getFirst());
  }

  private static Live liveOf(String value) {
    return switch (value) {
      case "long-poll" -> Live.LONG_POLL;
      case "sse" -> Live.SSE;
      default -> throw DsException.badRequest("live must be long-poll or sse, not '" + value + "'");
    };
  }
}
