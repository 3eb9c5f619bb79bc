package io.tributary.subscription;

/**
 * The keys behind subscriptions, shared by every server on a database.
 *
 * @param privateKey the Ed25519 signing key, PKCS#8-encoded
 * @param publicKey its public half, X.509-encoded
 * @param tokenKey the HMAC secret of callback tokens (at least 32 bytes)
 */
public record SubscriptionKeys(byte[] privateKey, byte[] publicKey, byte[] tokenKey) {}
