package io.tributary.api;

/**
 * One Tributary deployment as a library sees it: both stream kinds on one storage, opened and
 * closed together. Open it once per process with the backend's entry point (PostgreSQL: {@code
 * io.tributary.postgres.PostgresTributary.open(config)}) and share it; it is thread-safe.
 *
 * <p>The stores it hands out live as long as it does: close the {@code Tributary}, not the
 * stores.
 */
public interface Tributary extends AutoCloseable {
  /** Attempt streams: one fenced stream per attempt of an execution. */
  StreamStore attemptStreams();

  /** Named streams: URL-addressed byte or JSON-message streams (the Durable Streams model). */
  NamedStreamStore namedStreams();

  /**
   * Stops both stores (pending appends are failed, parked reads return) and releases the
   * storage (PostgreSQL: the listener and the connection pool). Idempotent.
   */
  @Override
  void close();
}
