package io.tributary.api;

import java.util.Optional;

/**
 * Discovery: which executions and named streams exist, a page at a time. Each page costs about
 * its own size, however many streams the store holds (keyset pagination over indexes).
 *
 * <p>Thread-safe. Every method may throw {@link UnavailableException} when the database cannot
 * be reached.
 */
public interface StreamDirectory {
  /** Largest page of {@link #namedStreams}. */
  int MAX_STREAM_LIMIT = 500;

  /**
   * Executions newest first (by creation, ties by id), filtered by their current attempt's state.
   * A cursor stays valid while executions are added: a later page never repeats an item, and
   * executions created after the first page do not appear on later pages.
   *
   * @throws ValidationException when {@code query.after()} is not a cursor of this listing
   */
  Page<ExecutionInfo> executions(ExecutionQuery query);

  /** One execution with its attempts (oldest first), or empty when it has none. */
  Optional<ExecutionDetail> execution(ExecutionId executionId);

  /**
   * Named streams whose path starts with {@code prefix}, ordered by path (byte-wise), excluding
   * deleted and expired ones.
   *
   * @param prefix a path prefix such as {@code /v1/stream/chat/}; null or empty for all
   * @param limit 1..{@value #MAX_STREAM_LIMIT}
   * @param after the {@link Page#next()} of the previous page, or null for the first page
   * @throws ValidationException for a bad limit or cursor
   */
  Page<NamedStreamListing> namedStreams(String prefix, int limit, String after);
}
