package io.tributary.protocol.rest;

/**
 * A request the REST layer rejects before (or instead of) calling the store; carries the HTTP
 * status and the envelope's {@code kind} and {@code retryable}.
 */
final class RestException extends RuntimeException {
  private final int status;
  private final String kind;
  private final boolean retryable;

  RestException(int status, String kind, boolean retryable, String message) {
    super(message, null, false, false);
    this.status = status;
    this.kind = kind;
    this.retryable = retryable;
  }

  /** A 400 with kind {@code invalid_input}. */
  static RestException badRequest(String message) {
    return new RestException(400, "invalid_input", false, message);
  }

  int status() {
    return status;
  }

  String kind() {
    return kind;
  }

  boolean retryable() {
    return retryable;
  }
}
