package io.tributary.server;

import io.tributary.protocol.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured token in constant time.
 * Both sides are hashed first, so neither the comparison time nor an early length mismatch tells
 * a caller anything about the token.
 */
final class BearerAuth {
  private static final String SCHEME = "bearer ";
  private final byte[] expectedDigest;

  /** @param token the required token, or null for "no auth" */
  BearerAuth(String token) {
    this.expectedDigest = token == null ? null : sha256(token);
  }

  boolean enabled() {
    return expectedDigest != null;
  }

  /** True when auth is off or the request carries the right bearer token. */
  boolean allows(HttpRequest request) {
    if (expectedDigest == null) {
      return true;
    }
    var header = request.headers().first("Authorization");
    if (header == null || header.length() <= SCHEME.length()
        || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return MessageDigest.isEqual(expectedDigest, sha256(header.substring(SCHEME.length()).strip()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
