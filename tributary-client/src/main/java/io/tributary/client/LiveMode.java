package io.tributary.client;

/** How a follower waits for new data. */
public enum LiveMode {
  /** One long-lived server-sent-events response, reopened from the last offset when it ends. */
  SSE,
  /** Repeated long-poll requests. */
  LONG_POLL
}
