package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamFork;
import io.tributary.protocol.HttpHeaders;

/**
 * The headers of a create ({@code PUT}): content type, TTL or expiry, closed, and fork.
 *
 * @param contentType as given; null when absent (the default or, for a fork, the source's)
 * @param ttlSeconds {@code Stream-TTL}, or null
 * @param expiresAtMs {@code Stream-Expires-At}, or null
 * @param closed {@code Stream-Closed: true}
 * @param fork the fork request, or null
 */
record CreateParams(
    String contentType, Long ttlSeconds, Long expiresAtMs, boolean closed, NamedStreamFork fork) {

  /** What a stream is when a create names no content type. */
  static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  /** Longest accepted TTL: about 31,700 years, far past any sensible use but safe in ms. */
  static final long MAX_TTL_SECONDS = 1_000_000_000_000L;

  static CreateParams parse(HttpHeaders h) {
    var ttl = HeaderValues.canonicalInteger(h, DsHeaders.TTL, MAX_TTL_SECONDS);
    var expires = HeaderValues.timestampMs(h, DsHeaders.EXPIRES_AT);
    if (ttl != null && expires != null) {
      throw DsException.badRequest("give Stream-TTL or Stream-Expires-At, not both");
    }
    var forkedFrom = HeaderValues.value(h, DsHeaders.FORKED_FROM);
    var forkOffset = HeaderValues.value(h, DsHeaders.FORK_OFFSET);
    var subOffset = HeaderValues.canonicalInteger(h, DsHeaders.FORK_SUB_OFFSET, Long.MAX_VALUE);
    NamedStreamFork fork = null;
    if (forkedFrom == null) {
      if (forkOffset != null || subOffset != null) {
        throw DsException.badRequest(
            "Stream-Fork-Offset and Stream-Fork-Sub-Offset need Stream-Forked-From");
      }
    } else {
      fork =
          new NamedStreamFork(
              StreamPaths.checked(HeaderValues.path(forkedFrom), DsHeaders.FORKED_FROM),
              forkOffset == null ? null : forkPosition(forkOffset),
              subOffset == null ? 0 : subOffset);
    }
    return new CreateParams(
        HeaderValues.value(h, "Content-Type"), ttl, expires, HeaderValues.flag(h, DsHeaders.CLOSED), fork);
  }

  private static long forkPosition(String raw) {
    return switch (DsOffset.parse(raw)) {
      case DsOffset.Start s -> 0;
      case DsOffset.Now n -> throw DsException.badRequest("Stream-Fork-Offset cannot be 'now'; omit it to fork at the tail");
      // named-stream offsets always have a zero first part; anything else lies past every tail
      case DsOffset.At at -> at.hi() == 0 ? at.lo() : Long.MAX_VALUE;
    };
  }
}
