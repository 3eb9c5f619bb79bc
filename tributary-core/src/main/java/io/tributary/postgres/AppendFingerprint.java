package io.tributary.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What makes two appends under one idempotency key "the same append": SHA-256 over the mode, the
 * stored frame type, the correlation id and the payload. Each text is length-prefixed, so moving
 * bytes from one field to the next changes the fingerprint. Best-effort knobs are left out: a
 * retry that tunes retention is still the same frame.
 */
final class AppendFingerprint {
  private AppendFingerprint() {}

  static byte[] of(short mode, String frameType, String correlationId, byte[] payload) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
    sha.update((byte) mode);
    text(sha, frameType);
    text(sha, correlationId);
    sha.update(payload);
    return sha.digest();
  }

  private static void text(MessageDigest sha, String value) {
    if (value == null) {
      length(sha, -1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    length(sha, bytes.length);
    sha.update(bytes);
  }

  private static void length(MessageDigest sha, int n) {
    sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
  }
}
