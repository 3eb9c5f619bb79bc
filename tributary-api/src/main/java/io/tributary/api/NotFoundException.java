package io.tributary.api;

/** The named entity (for example an attempt to renew) does not exist. */
public final class NotFoundException extends TributaryException {
  public NotFoundException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "not_found";
  }
}
