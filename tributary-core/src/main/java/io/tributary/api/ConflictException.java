package io.tributary.api;

/** The request conflicts with the current state, e.g. starting an attempt while one is active. */
public final class ConflictException extends TributaryException {
  public ConflictException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "conflict";
  }
}
