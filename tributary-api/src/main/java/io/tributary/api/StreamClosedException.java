package io.tributary.api;

/** The stream was closed (the attempt ended); it takes no more frames. */
public final class StreamClosedException extends TributaryException {
  private final String closedReason;

  public StreamClosedException(String closedReason) {
    super("stream is closed" + (closedReason == null ? "" : " (" + closedReason + ")"));
    this.closedReason = closedReason;
  }

  /** The reason recorded at close, or null when unknown. */
  public String closedReason() {
    return closedReason;
  }

  @Override
  public String code() {
    return "stream_closed";
  }
}
