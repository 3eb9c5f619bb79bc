package io.tributary.protocol.ds;

/**
 * A request the protocol refuses, with the status and machine-readable code to answer with.
 * Thrown by request parsing and turned into an error response by the handler.
 */
final class DsException extends RuntimeException {
  private final int status;
  private final String code;

  DsException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static DsException badRequest(String message) {
    return new DsException(400, "BAD_REQUEST", message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
