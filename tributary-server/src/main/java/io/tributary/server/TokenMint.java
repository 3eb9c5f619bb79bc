package io.tributary.server;

import io.tributary.api.ExecutionId;
import io.tributary.api.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.LongSupplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/tokens}: mints a read token for one stream. The body names the stream, either
 * {@code {"execution_id":"{fp:N}:<uuid>","attempt_index":0}} or {@code {"path":"/v1/stream/<name>"}},
 * and optionally {@code "ttl_ms"} (default {@link #DEFAULT_TTL} or the maximum if lower, at most the
 * configured maximum). The stream need not exist yet. Only the admin may mint (the router checks).
 */
final class TokenMint {
  /** Lifetime of a token when the request names none. */
  static final Duration DEFAULT_TTL = Duration.ofHours(1);

  private static final JsonMapper MAPPER = JsonMapper.shared();
  private static final Set<String> FIELDS = Set.of("execution_id", "attempt_index", "path", "ttl_ms");

  private final TokenSigner signer;
  private final Duration maxTtl;
  private final LongSupplier clock;

  TokenMint(TokenSigner signer, Duration maxTtl, LongSupplier clock) {
    this.signer = signer;
    this.maxTtl = maxTtl;
    this.clock = clock;
  }

  /**
   * The {@code 201} answer body {@code {"token","expires_at","expires_at_ms","scope":"read"}}.
   *
   * @throws IllegalArgumentException with a message for the client when the body is unusable
   */
  ObjectNode mint(byte[] body) {
    var request = parse(body);
    long ttlMs = ttlMs(request.get("ttl_ms"));
    var token = new ReadToken(stream(request), Math.addExact(clock.getAsLong(), ttlMs));
    return MAPPER.createObjectNode()
        .put("token", signer.sign(token))
        .put("expires_at", Instant.ofEpochMilli(token.expiresAtMs()).toString())
        .put("expires_at_ms", token.expiresAtMs())
        .put("scope", "read");
  }

  private static ObjectNode parse(byte[] body) {
    JsonNode node;
    try {
      node = body.length == 0 ? null : MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "the body must be a JSON object naming the stream: {\"execution_id\",\"attempt_index\"} or {\"path\"}");
    }
    for (var name : node.propertyNames()) {
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException("unknown field '" + name + "'; expected one of " + FIELDS);
      }
    }
    return (ObjectNode) node;
  }

  private static StreamScope stream(ObjectNode request) {
    var path = request.get("path");
    var id = request.get("execution_id");
    var index = request.get("attempt_index");
    if ((path == null) == (id == null)) {
      throw new IllegalArgumentException("name exactly one stream: execution_id and attempt_index, or path");
    }
    if (path != null) {
      if (!path.isString() || index != null) {
        throw new IllegalArgumentException("path must be a string, without attempt_index");
      }
      return new StreamScope.Named(path.stringValue());
    }
    if (!id.isString()) {
      throw new IllegalArgumentException("execution_id must be a string");
    }
    if (index == null || !index.isIntegralNumber() || !index.canConvertToLong()) {
      throw new IllegalArgumentException("attempt_index must be given as an integer with execution_id");
    }
    try {
      return new StreamScope.Attempt(ExecutionId.parse(id.stringValue()), index.longValue());
    } catch (ValidationException e) {
      throw new IllegalArgumentException("execution_id: " + e.detail());
    }
  }

  private long ttlMs(JsonNode ttl) {
    long max = maxTtl.toMillis();
    if (ttl == null) {
      return Math.min(DEFAULT_TTL.toMillis(), max);
    }
    if (!ttl.isIntegralNumber() || !ttl.canConvertToLong() || ttl.longValue() < 1 || ttl.longValue() > max) {
      throw new IllegalArgumentException("ttl_ms must be an integer from 1 to " + max + ", got " + ttl);
    }
    return ttl.longValue();
  }
}
