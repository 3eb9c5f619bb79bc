package io.tributary.server;

import io.tributary.protocol.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin credential: checks a bearer token against the configured one in constant time.
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

  /** True when auth is on and {@code token} is the configured one. */
  boolean matches(String token) {
    return expectedDigest != null && MessageDigest.isEqual(expectedDigest, sha256(token));
  }

  /** The token of an {@code Authorization: Bearer <token>} header, or null when there is none. */
  static String bearerToken(HttpRequest request) {
    var header = request.headers().first("Authorization");
    if (header == null || header.length() <= SCHEME.length()
        || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return null;
    }
    var token = header.substring(SCHEME.length()).strip();
    return token.isEmpty() ? null : token;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
