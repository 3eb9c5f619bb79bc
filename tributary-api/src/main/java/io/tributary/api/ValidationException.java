package io.tributary.api;

/** The request was invalid; nothing was written. */
public final class ValidationException extends TributaryException {
  private final ValidationKind kind;
  private final String detail;

  public ValidationException(ValidationKind kind, String detail) {
    super(kind.code() + ": " + detail);
    this.kind = kind;
    this.detail = detail;
  }

  public ValidationKind kind() {
    return kind;
  }

  /** Human-readable explanation without the kind prefix. */
  public String detail() {
    return detail;
  }

  @Override
  public String code() {
    return kind.code();
  }

  static ValidationException invalid(String detail) {
    return new ValidationException(ValidationKind.INVALID_INPUT, detail);
  }
}
