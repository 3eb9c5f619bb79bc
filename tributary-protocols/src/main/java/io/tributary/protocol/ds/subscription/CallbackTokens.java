package io.tributary.protocol.ds.subscription;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer tokens for webhook callbacks and pull-wake acks: {@code base64url(payload).base64url(
 * HMAC-SHA256(payload))}, the payload naming the subscription, the wake generation and an expiry.
 * Self-verifying, so a token outlives the wake it was minted for and a late caller is told
 * {@code FENCED} rather than "unknown token".
 */
final class CallbackTokens {
  /** How long a token stays valid. */
  static final long TTL_MS = 3_600_000;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  CallbackTokens(byte[] secret) {
    key = new SecretKeySpec(secret, "HmacSHA256");
  }

  /** What a token says, when its signature holds. */
  record Claims(String subscriptionId, long generation, long expiresMs) {}

  /** A token for {@code generation} of subscription {@code id}, valid until {@code nowMs + TTL}. */
  String mint(String id, long generation, long nowMs) {
    var payload =
        ENCODER.encodeToString((id + "\n" + generation + "\n" + (nowMs + TTL_MS)).getBytes(StandardCharsets.UTF_8));
    return payload + "." + ENCODER.encodeToString(mac(payload));
  }

  /** The claims of a genuine token, or null for anything this server did not mint. */
  Claims verify(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return null;
    }
    var payload = token.substring(0, dot);
    try {
      if (!MessageDigest.isEqual(mac(payload), DECODER.decode(token.substring(dot + 1)))) {
        return null;
      }
      var parts = new String(DECODER.decode(payload), StandardCharsets.UTF_8).split("\n");
      if (parts.length != 3) {
        return null;
      }
      return new Claims(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private byte[] mac(String payload) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
