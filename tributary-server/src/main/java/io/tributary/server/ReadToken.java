package io.tributary.server;

import java.util.Objects;

/**
 * What a read token grants: reading one stream until an instant.
 *
 * @param stream the one stream it may read
 * @param expiresAtMs epoch ms from which it is refused (401)
 */
record ReadToken(StreamScope stream, long expiresAtMs) {
  ReadToken {
    Objects.requireNonNull(stream, "stream");
  }

  boolean expiredAt(long nowMs) {
    return nowMs >= expiresAtMs;
  }
}
