package io.tributary.postgres;

import io.tributary.api.ConflictException;
import io.tributary.api.EntryId;
import io.tributary.api.NotFoundException;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;

/**
 * The status codes the attempt-stream functions of {@code R__attempt_functions.sql} return, one
 * constant per code (listed in that file's header; {@code AttemptStatusTest} compares the two).
 */
enum AttemptStatus {
  OK(0),
  STALE_OWNER(1),
  STREAM_CLOSED(2),
  NO_SUCH_ATTEMPT(3),
  INVALID_INPUT(4),
  CONFLICT(5),
  /** An idempotency key that already named a different append (tb_append_batch only). */
  KEY_REUSED(6);

  final int code;

  AttemptStatus(int code) {
    this.code = code;
  }

  /**
   * The status with {@code code}.
   *
   * @throws IllegalStateException for a code the functions do not return (a schema/code mismatch)
   */
  static AttemptStatus of(int code) {
    for (var s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalStateException("unknown attempt-stream status " + code + " from the database");
  }

  /**
   * The exception for an append that failed with this status (the same for a group-committed and
   * an all-or-nothing batch append).
   *
   * @param at prefix of the message naming the frame in a batch ({@code "frame 3: "}), or empty
   * @param detail the function's detail (the close reason, or what was invalid), may be null
   * @param request the failed append
   * @param position for {@link #KEY_REUSED}: the position of the append the key named first
   */
  RuntimeException appendFailure(String at, String detail, AppendRequest request, long position) {
    return switch (this) {
      case STALE_OWNER ->
          new StaleOwnerException(
              at + "lease is not current for this attempt"
                  + (detail == null ? "" : " (attempt closed: " + detail + ")"));
      case STREAM_CLOSED -> new StreamClosedException(detail);
      case NO_SUCH_ATTEMPT ->
          new StaleOwnerException(at + "no such attempt: the handle names an unknown attempt");
      case INVALID_INPUT -> new ValidationException(ValidationKind.INVALID_INPUT, at + detail);
      case KEY_REUSED -> keyReused(at, request, Positions.toId(position));
      case OK, CONFLICT -> new NotFoundException(at + "unexpected append status " + code);
    };
  }

  private static ConflictException keyReused(String at, AppendRequest r, EntryId first) {
    return new ConflictException(
        ConflictException.IDEMPOTENCY_KEY_REUSED,
        at + "idempotency key '" + r.idempotencyKey()
            + "' already named a different append to this attempt (frame " + first
            + "); a retry must repeat the same frame, a new frame needs a new key");
  }
}
