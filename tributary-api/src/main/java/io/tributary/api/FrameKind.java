package io.tributary.api;

/** Coarse classifier of a frame, used as its {@code frame_type} when none is given. */
public enum FrameKind {
  STDOUT,
  STDERR,
  EVENT,
  BLOB;

  /** Wire encoding: {@code stdout}, {@code stderr}, {@code event}, {@code blob}. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
