package io.tributary.protocol.rest;

import io.tributary.api.ConflictException;
import io.tributary.api.NotFoundException;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.TributaryException;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;
import io.tributary.protocol.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what went wrong into a status a client can act on, always with the JSON envelope {@code
 * {"error","kind","retryable"}} where {@code kind} is the store's error code.
 *
 * <table>
 *   <tr><th>status</th><th>when</th></tr>
 *   <tr><td>400</td><td>validation (bad parameter, cursor, execution id, handle, patch)</td></tr>
 *   <tr><td>404</td><td>no such attempt / execution / summary</td></tr>
 *   <tr><td>409</td><td>stream closed, stale owner (lost lease), conflicting state, idempotency key
 *       reused for a different append</td></tr>
 *   <tr><td>413</td><td>payload over the per-frame limit ({@code retention_limit_exceeded})</td></tr>
 *   <tr><td>429</td><td>stream-op concurrency limit full (retryable; {@code Retry-After: 1})</td></tr>
 *   <tr><td>503</td><td>store unavailable or shutting down ({@code Retry-After: 1})</td></tr>
 * </table>
 */
final class RestErrors {
  private static final Logger log = LoggerFactory.getLogger(RestErrors.class);

  private RestErrors() {}

  /** Seconds a 503 or 429 asks the client to wait before retrying ({@code Retry-After}). */
  static final int RETRY_AFTER_SECONDS = 1;

  static HttpResponse toResponse(RuntimeException e) {
    return switch (e) {
      case RestException r -> withRetryAfter(RestJson.error(r.status(), r.getMessage(), r.kind(), r.retryable()));
      case TributaryException t -> fromStore(t);
      default -> {
        log.error("REST request failed unexpectedly", e);
        yield RestJson.error(500, "internal error: " + e.getClass().getSimpleName(), "internal", false);
      }
    };
  }

  private static HttpResponse fromStore(TributaryException e) {
    int status =
        switch (e) {
          case ValidationException v when v.kind() == ValidationKind.RETENTION_LIMIT_EXCEEDED -> 413;
          case ValidationException v -> 400;
          case NotFoundException n -> 404;
          case StaleOwnerException s -> 409;
          case StreamClosedException c -> 409;
          case ConflictException c -> 409;
          case UnavailableException u -> 503;
        };
    // an execution id error already reads "invalid execution_id: …", as the reference words it
    String message =
        e instanceof ValidationException v && v.kind() == ValidationKind.INVALID_EXECUTION_ID
            ? v.detail()
            : e.getMessage();
    return withRetryAfter(RestJson.error(status, message, e.code(), e.retryable()));
  }

  /**
   * A 429 or 503 tells the client when to come back ({@value #RETRY_AFTER_SECONDS} s): a permit or
   * the database is usually free again within a second, and proxies and HTTP clients honour the
   * header where they would not read the envelope's {@code retryable}.
   */
  private static HttpResponse withRetryAfter(HttpResponse response) {
    if (response.status() == 429 || response.status() == 503) {
      response.headers().set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }
    return response;
  }
}
