package io.tributary.api;

/** Why a request was rejected as invalid. The wire code is what HTTP error bodies carry. */
public enum ValidationKind {
  /** A value is out of range or not understood; the detail says which. */
  INVALID_INPUT("invalid_input"),
  /** Bytes that should be ours (a handle) could not be decoded. */
  CORRUPTION("corruption"),
  /** A handle minted by another backend was passed to this one. */
  HANDLE_FROM_OTHER_BACKEND("handle_from_other_backend"),
  /** A payload is larger than the configured per-frame limit. */
  RETENTION_LIMIT_EXCEEDED("retention_limit_exceeded"),
  /** A cursor string was empty. */
  EMPTY_CURSOR("empty_cursor"),
  /** A raw {@code -} or {@code +} marker was passed as a cursor. */
  BARE_MARKER_REJECTED("bare_marker_rejected"),
  /** A cursor string does not match the grammar. */
  MALFORMED_CURSOR("malformed_cursor"),
  /** An execution id does not parse. */
  INVALID_EXECUTION_ID("invalid_execution_id");

  private final String code;

  ValidationKind(String code) {
    this.code = code;
  }

  /** Wire code, e.g. {@code invalid_input}. */
  public String code() {
    return code;
  }
}
