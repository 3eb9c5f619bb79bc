package io.tributary.server;

import io.tributary.protocol.HttpRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Who is asking: the admin (the configured {@code --auth-token}, which may do everything), the
 * holder of a read token minted by {@code POST /v1/tokens} (may read one stream), or nobody known.
 *
 * <p>The admin token is accepted only in {@code Authorization: Bearer}; a read token also in the
 * {@value HttpRequest#ACCESS_TOKEN_PARAM} query parameter, because a browser's {@code EventSource}
 * cannot send headers. When both are present the header decides. Read tokens are verified by
 * their MAC alone: no lookup per request.
 */
final class TokenAuth {
  static final String MISSING = "missing or invalid Authorization header";

  /** The outcome of {@link #identify}. */
  sealed interface Caller {
    /** The admin credential, or anyone when auth is off. */
    record Admin() implements Caller {}

    /** A valid, unexpired read token. */
    record Reader(ReadToken token) implements Caller {}

    /** No usable credential (401); {@code reason} says why, without echoing the credential. */
    record Unknown(String reason) implements Caller {}
  }

  private static final Caller ADMIN = new Caller.Admin();

  private final BearerAuth admin;
  private final TokenSigner signer;
  private final LongSupplier clock;

  /**
   * @param admin the admin credential; when it is disabled, auth is off and everyone is admin
   * @param signer verifies read tokens
   * @param clock epoch ms, for expiry
   */
  TokenAuth(BearerAuth admin, TokenSigner signer, LongSupplier clock) {
    this.admin = admin;
    this.signer = signer;
    this.clock = clock;
  }

  /** True when requests need a credential (an admin token is configured). */
  boolean enabled() {
    return admin.enabled();
  }

  /** Who sent {@code request}. Never throws. */
  Caller identify(HttpRequest request) {
    if (!admin.enabled()) {
      return ADMIN;
    }
    if (request.headers().has("Authorization")) {
      var token = BearerAuth.bearerToken(request);
      if (token == null) {
        return new Caller.Unknown(MISSING);
      }
      if (admin.matches(token)) {
        return ADMIN;
      }
      return TokenSigner.looksLikeToken(token) ? reader(token) : new Caller.Unknown(MISSING);
    }
    var fromQuery = request.query().get(HttpRequest.ACCESS_TOKEN_PARAM);
    if (fromQuery == null) {
      return new Caller.Unknown(MISSING);
    }
    if (fromQuery.size() != 1) {
      return new Caller.Unknown(HttpRequest.ACCESS_TOKEN_PARAM + " given more than once");
    }
    var token = fromQuery.getFirst();
    if (!TokenSigner.looksLikeToken(token)) {
      // the admin token must not travel in URLs, where proxies and browsers log it
      return new Caller.Unknown(
          HttpRequest.ACCESS_TOKEN_PARAM + " takes only a read token from POST /v1/tokens;"
              + " send the admin token in the Authorization header");
    }
    return reader(token);
  }

  private Caller reader(String text) {
    ReadToken token;
    try {
      token = signer.verify(text);
    } catch (IllegalArgumentException e) {
      return new Caller.Unknown("invalid token");
    }
    if (token.expiredAt(clock.getAsLong())) {
      return new Caller.Unknown(
          "token expired at " + Instant.ofEpochMilli(token.expiresAtMs()) + "; mint a new one");
    }
    return new Caller.Reader(token);
  }

  /**
   * Why a read token may not make {@code request} (403), or empty when it may: only {@code GET}
   * and {@code HEAD} of the token's own stream are allowed, and {@code GET} of the execution an
   * attempt token's stream belongs to ({@link DiscoveryAccess}).
   */
  static Optional<String> refusal(ReadToken token, HttpRequest request) {
    var method = request.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Optional.of("a read token cannot " + method + " here: writes and minting need the admin token");
    }
    var discovery = DiscoveryAccess.refusal(token, request);
    if (discovery != null) {
      return discovery;
    }
    if (!StreamScope.readBy(request.path()).equals(Optional.of(token.stream()))) {
      return Optional.of("this token may only read " + token.stream());
    }
    return Optional.empty();
  }
}
