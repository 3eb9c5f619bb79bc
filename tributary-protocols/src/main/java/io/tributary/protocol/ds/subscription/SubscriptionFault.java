package io.tributary.protocol.ds.subscription;

import java.util.Map;

/**
 * A refused subscription request: the status, the protocol's error code, a message, and any
 * extra fields of the error object (e.g. {@code current_holder}).
 */
final class SubscriptionFault extends RuntimeException {
  private final int status;
  private final String code;
  private final Map<String, Object> extra;

  SubscriptionFault(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  SubscriptionFault(int status, String code, String message, Map<String, Object> extra) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }

  static SubscriptionFault invalid(String message) {
    return new SubscriptionFault(400, "INVALID_REQUEST", message);
  }

  static SubscriptionFault notFound(String id) {
    return new SubscriptionFault(404, "SUBSCRIPTION_NOT_FOUND", "no subscription '" + id + "'");
  }

  static SubscriptionFault fenced() {
    return new SubscriptionFault(
        409, "FENCED", "the wake id or generation is not the open wake's: another wake replaced it");
  }

  static SubscriptionFault invalidOffset(String message) {
    return new SubscriptionFault(409, "INVALID_OFFSET", message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  Map<String, Object> extra() {
    return extra;
  }
}
