package io.tributary.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Durable, tailable frame streams, one per attempt of an execution, with lease-fenced appends.
 *
 * <p>Thread-safe. Reads and tails need no lease; appends need the {@link Handle} of the
 * attempt's current lease. Every method may also throw {@link UnavailableException} when the
 * database cannot be reached.
 */
public interface StreamStore extends AutoCloseable {
  /** Hard cap on frames per read or tail. */
  int READ_HARD_CAP = 10_000;

  /** Longest a tail may block. */
  long MAX_TAIL_BLOCK_MS = 30_000;

  /** A string leaf with this value in a summary patch stores a JSON null. */
  String SUMMARY_NULL_SENTINEL = "__ff_null__";

  /** Longest idempotency key, in characters ({@link Frame#idempotencyKey()}). */
  int MAX_IDEMPOTENCY_KEY_LENGTH = 256;

  // ---------------------------------------------------------------- attempts and leases

  /** The codec of this store's handles: their bytes and token form carry its backend tag. */
  HandleCodec handles();

  /**
   * Starts the next attempt of an execution (index 0 for the first) with a fresh lease.
   *
   * <p>A previous attempt whose lease has expired is closed with {@code lease_expired} (unless it
   * is already closed).
   *
   * @throws ConflictException when the current attempt is open and its lease is still valid (use
   *     {@link #reclaim} to take it over)
   */
  Handle startAttempt(ExecutionId executionId, Duration leaseTtl);

  /**
   * Extends the lease of the handle's attempt to now + {@code leaseTtl}; the epoch stays.
   *
   * @throws StaleOwnerException when the handle's lease is no longer current or has expired
   * @throws StreamClosedException when the attempt was closed
   */
  Handle renewLease(Handle handle, Duration leaseTtl);

  /**
   * Takes an execution over from its current owner: closes the current attempt with {@code
   * reclaimed} (overwriting an earlier {@code lease_expired}) and starts a new attempt under a new
   * lease with the next epoch. Appends with the old handle then fail with {@link
   * StaleOwnerException}.
   *
   * @throws NotFoundException when the execution never had an attempt
   */
  Handle reclaim(ExecutionId executionId, Duration leaseTtl);

  /**
   * Ends the handle's attempt with a reason; parked tails wake and see the close markers.
   *
   * @throws StaleOwnerException when the handle's lease is not current
   * @throws StreamClosedException when the attempt was already closed
   */
  void closeAttempt(Handle handle, CloseReason reason);

  /**
   * Closes every open attempt whose lease has expired with {@code lease_expired}. An attempt that
   * is already closed keeps its reason.
   *
   * @return how many attempts were closed
   */
  int expireLeases();

  // ---------------------------------------------------------------- frames

  /**
   * Appends a frame to the handle's attempt stream.
   *
   * <p>Checks, in order: payload size (else {@link ValidationKind#RETENTION_LIMIT_EXCEEDED}),
   * summary patch validity for DurableSummary (object root, depth at most 16, else {@link
   * ValidationKind#INVALID_INPUT}), the lease fence (else {@link StaleOwnerException}), and that
   * the stream is open (else {@link StreamClosedException}). A rejected append writes nothing.
   *
   * <p><b>Idempotent appends.</b> A frame with an {@linkplain Frame#idempotencyKey() idempotency
   * key} names its append within the attempt stream, so a writer that does not know whether an
   * append committed (timeout, lost connection, server restart) can simply retry it:
   *
   * <ul>
   *   <li>A retry of a committed append (same key; same mode, frame type, correlation id and
   *       payload bytes; best-effort knobs are not compared) writes nothing and answers the first
   *       outcome, with {@link AppendOutcome#replayed()} true. A summary patch is not merged
   *       again. The key is recorded in the append's own transaction, so this holds across store
   *       instances, servers and restarts.
   *   <li>The same key with a different append is a {@link ConflictException} with code {@value
   *       ConflictException#IDEMPOTENCY_KEY_REUSED}; nothing is written.
   *   <li>Appends racing with one key (also in one group-committed batch): one writes, the others
   *       answer its outcome as replays.
   *   <li>Keys are per attempt stream: another attempt of the execution (also the one a reclaim
   *       starts) or another execution has keys of its own. Keys need not be ordered or
   *       contiguous; there is no sequence and hence no gap to detect.
   *   <li>A replay is still an append: the fence and the open-stream check come first, so a
   *       retry under a lost lease or on a closed attempt fails like any append. A rejected append
   *       records no key.
   *   <li>A key is remembered while its append is among the stream's newest
   *       append-key-window appends (a backend setting; named or not; default 10 000), also after its
   *       frame was trimmed by retention (the replay then names a frame that can no longer be
   *       read). A retry of an older append is not recognised and appends again.
   *   <li>All three modes accept keys.
   * </ul>
   *
   * @throws ValidationException for a bad payload, patch or idempotency key (empty, longer than
   *     {@value #MAX_IDEMPOTENCY_KEY_LENGTH} characters, or containing NUL), or a garbled handle
   * @throws ConflictException when the idempotency key already named a different append
   */
  AppendOutcome append(Handle handle, Frame frame);

  /**
   * Like {@link #append} without waiting: the future completes once the frame is committed, or
   * fails with the exception {@code append} would throw. A producer may keep many appends in
   * flight; appends to one stream commit in the order they were made, so their ids increase in
   * that order. Blocks only while the store's queue of pending appends is full.
   */
  java.util.concurrent.CompletableFuture<AppendOutcome> appendAsync(Handle handle, Frame frame);

  /**
   * Appends {@code frames} to one attempt all or nothing, in one transaction after one fence check:
   * either every frame is committed (their ids increase in list order, with no other append
   * between them) or none is, and the first failure is thrown, its message naming the frame's
   * index. Each frame may have its own mode, type and idempotency key; a frame whose key was
   * committed before is a replay, as with {@link #append}.
   *
   * @return the outcome of each frame, in list order
   * @throws ValidationException for an empty list or a bad frame (nothing is written)
   * @throws StaleOwnerException, StreamClosedException, ConflictException as {@link #append}
   *     would for any one frame (nothing is written)
   */
  java.util.List<AppendOutcome> appendAll(Handle handle, java.util.List<Frame> frames);

  /**
   * Frames with ids in {@code [from, to]} (both inclusive), oldest first, at most {@code limit}.
   * An unknown execution or attempt gives an empty, open result.
   *
   * @param limit 1..{@value #READ_HARD_CAP}; outside that range is a {@link ValidationException}
   */
  StreamFrames read(
      ExecutionId executionId, long attemptIndex, StreamCursor from, StreamCursor to, int limit);

  /**
   * Frames with ids strictly after {@code after}, oldest first, at most {@code options.limit()};
   * waits up to {@code options.block()} for the first one. Returns early, with the close markers,
   * when the stream is closed. Holds no database connection while waiting.
   *
   * @param after a concrete cursor ({@code start}/{@code end} are rejected); {@code 0-0} means
   *     from the beginning
   * @throws ValidationException for {@code start}/{@code end}, a block outside 0 .. {@value
   *     #MAX_TAIL_BLOCK_MS} ms or a limit outside 1..{@value #READ_HARD_CAP}, in that order
   */
  StreamFrames tail(AttemptRef attempt, StreamCursor after, TailOptions options);

  /** {@link #read(ExecutionId, long, StreamCursor, StreamCursor, int)} of the attempt {@code a}. */
  default StreamFrames read(AttemptRef a, StreamCursor from, StreamCursor to, int limit) {
    return read(a.executionId(), a.attemptIndex(), from, to, limit);
  }

  /** {@link #head(ExecutionId, long)} of the attempt {@code a}. */
  default Optional<StreamHead> head(AttemptRef a) {
    return head(a.executionId(), a.attemptIndex());
  }

  /** {@link #readSummary(ExecutionId, long)} of the attempt {@code a}. */
  default Optional<SummaryDocument> readSummary(AttemptRef a) {
    return readSummary(a.executionId(), a.attemptIndex());
  }

  /**
   * {@link #tail(AttemptRef, StreamCursor, TailOptions)} with positional arguments.
   *
   * @param blockMs 0 (peek) .. {@value #MAX_TAIL_BLOCK_MS}
   * @param limit 1..{@value #READ_HARD_CAP}
   */
  default StreamFrames tail(
      ExecutionId executionId,
      long attemptIndex,
      StreamCursor after,
      long blockMs,
      int limit,
      TailVisibility visibility) {
    return tail(
        new AttemptRef(executionId, attemptIndex),
        after,
        new TailOptions(Duration.ofMillis(blockMs), limit, visibility));
  }

  /**
   * The attempt stream's head: last id, lifetime counters and close markers, in one cheap query.
   * Empty when the attempt does not exist.
   */
  Optional<StreamHead> head(ExecutionId executionId, long attemptIndex);

  /** The attempt's summary document, or empty when no DurableSummary delta was ever applied. */
  Optional<SummaryDocument> readSummary(ExecutionId executionId, long attemptIndex);

  /**
   * Stops the store: pending appends fail, parked tails return. A store reached through {@link
   * Tributary} is closed by it; one opened on its own also releases its storage.
   */
  @Override
  void close();
}
