package io.tributary.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns {@link ReadToken}s into URL-safe strings and back: {@code
 * tbr1.<base64url(payload)>.<base64url(HMAC-SHA256)>}, payload = {@code read\n<expiresAtMs>\n}
 * followed by the {@linkplain StreamScope#encode() encoded stream}. Any server holding the same
 * key verifies a token without asking the database. The MAC covers the version prefix too, and
 * is checked in constant time before the payload is parsed.
 */
final class TokenSigner {
  static final String PREFIX = "tbr1.";
  /** Shortest key accepted: 256 bits, the size of the MAC. */
  static final int MIN_KEY_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";
  private static final String SCOPE = "read";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  /**
   * @param key at least {@value #MIN_KEY_BYTES} bytes; the configured or stored secret, from which
   *     a signing key for read tokens is derived (so the secret could sign other things later
   *     without one kind of signature passing for another)
   * @throws IllegalArgumentException when the key is too short
   */
  TokenSigner(byte[] key) {
    if (key == null || key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("the token key must be at least " + MIN_KEY_BYTES + " bytes");
    }
    this.key = new SecretKeySpec(mac(new SecretKeySpec(key, ALGORITHM), "tributary read token v1"), ALGORITHM);
  }

  /** The token string for {@code token}. */
  String sign(ReadToken token) {
    var payload = SCOPE + "\n" + token.expiresAtMs() + "\n" + token.stream().encode();
    var signed = PREFIX + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    return signed + "." + B64.encodeToString(mac(key, signed));
  }

  /** True when the string has the shape of a read token (it may still be forged or expired). */
  static boolean looksLikeToken(String text) {
    return text.startsWith(PREFIX);
  }

  /**
   * The grant a token string carries; expiry is the caller's to check.
   *
   * @throws IllegalArgumentException when the string is malformed or its MAC does not match
   */
  ReadToken verify(String text) {
    int dot = text.lastIndexOf('.');
    if (!looksLikeToken(text) || dot <= PREFIX.length()) {
      throw new IllegalArgumentException("not a read token");
    }
    byte[] given;
    try {
      given = B64_DECODER.decode(text.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a read token");
    }
    var signed = text.substring(0, dot);
    if (!MessageDigest.isEqual(mac(key, signed), given)) {
      throw new IllegalArgumentException("bad token signature");
    }
    var payload = new String(B64_DECODER.decode(signed.substring(PREFIX.length())), StandardCharsets.UTF_8);
    var parts = payload.split("\n", 3);
    if (parts.length != 3 || !parts[0].equals(SCOPE)) {
      throw new IllegalArgumentException("unknown token scope");
    }
    return new ReadToken(StreamScope.decode(parts[2]), Long.parseLong(parts[1]));
  }

  private static byte[] mac(SecretKeySpec key, String text) {
    try {
      var mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has " + ALGORITHM, e);
    }
  }
}
