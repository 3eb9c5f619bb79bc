package io.tributary.api;

/** The outcome of a delete. */
public enum NamedStreamDeletion {
  /** The stream is gone (or, while forks still read it, hidden and kept for them). */
  DELETED,
  /** No stream at the URL (or it expired). */
  NOT_FOUND,
  /** The stream was already deleted but is kept for its forks. */
  GONE
}
