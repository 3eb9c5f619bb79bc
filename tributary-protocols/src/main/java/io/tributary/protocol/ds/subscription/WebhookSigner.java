package io.tributary.protocol.ds.subscription;

import io.tributary.subscription.SubscriptionKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Signs webhook deliveries with the server's Ed25519 key and publishes its public half as a JWKS.
 * The header is {@code Webhook-Signature: t=<unix seconds>,kid=<key id>,ed25519=<base64url>}, the
 * signature covering {@code <t>.<body>}; the key id is {@code ds_} plus the RFC 7638 thumbprint of
 * the public JWK.
 */
final class WebhookSigner {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  /** An X.509-encoded Ed25519 public key is a fixed 12-byte header and the 32-byte key. */
  private static final int RAW_PUBLIC_KEY_BYTES = 32;

  private final PrivateKey privateKey;
  private final String x;
  private final String kid;

  WebhookSigner(SubscriptionKeys keys) {
    try {
      privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(keys.privateKey()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the stored webhook signing key is not an Ed25519 key", e);
    }
    var encoded = keys.publicKey();
    x = B64URL.encodeToString(Arrays.copyOfRange(encoded, encoded.length - RAW_PUBLIC_KEY_BYTES, encoded.length));
    var thumbprintInput = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x + "\"}";
    kid = "ds_" + B64URL.encodeToString(sha256(thumbprintInput.getBytes(StandardCharsets.UTF_8)));
  }

  /** Fresh keys: a new Ed25519 pair and a random 32-byte token secret. */
  static SubscriptionKeys freshKeys() {
    try {
      var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      var tokenKey = new byte[32];
      new SecureRandom().nextBytes(tokenKey);
      return new SubscriptionKeys(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded(), tokenKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot generate Ed25519 keys", e);
    }
  }

  String kid() {
    return kid;
  }

  /** The JWKS document: one OKP key, {@code use: sig}, {@code alg: EdDSA}. */
  Map<String, Object> jwks() {
    return Map.of(
        "keys",
        java.util.List.of(
            Map.of("kty", "OKP", "crv", "Ed25519", "x", x, "kid", kid, "use", "sig", "alg", "EdDSA")));
  }

  /** The {@code Webhook-Signature} header value for {@code body} sent at {@code epochSeconds}. */
  String signatureHeader(byte[] body, long epochSeconds) {
    try {
      var signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      signer.update(body);
      return "t=" + epochSeconds + ",kid=" + kid + ",ed25519=" + B64URL.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
