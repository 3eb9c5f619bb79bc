package io.tributary.postgres;

import io.tributary.api.EntryId;
import io.tributary.api.StreamCursor;

/**
 * How this backend stores an entry id: packed into one sortable {@code bigint}, {@code ms << 16 |
 * seq}, so one btree key orders ids and "the whole millisecond" is a range. The same packing is
 * written in the SQL of the migrations ({@code V1__streams.sql}, {@code R__attempt_functions.sql});
 * {@code PositionsTest} checks that both say {@value #SEQ_BITS}.
 */
final class Positions {
  /** Bits of the packed position that hold the sequence; the rest hold the milliseconds. */
  static final int SEQ_BITS = 16;

  static {
    // the API's id space must fit the packing exactly
    if (EntryId.MAX_SEQ != (1L << SEQ_BITS) - 1 || EntryId.MAX_MS != Long.MAX_VALUE >>> SEQ_BITS) {
      throw new ExceptionInInitializerError("EntryId limits do not match the packed position");
    }
  }

  private Positions() {}

  /** The id packed into one sortable long. */
  static long of(EntryId id) {
    return (id.ms() << SEQ_BITS) | id.seq();
  }

  /** Inverse of {@link #of(EntryId)}. */
  static EntryId toId(long position) {
    return new EntryId(position >>> SEQ_BITS, position & EntryId.MAX_SEQ);
  }

  /**
   * Smallest position at or after {@code at}, as an inclusive lower bound. A cursor beyond what an
   * id can hold (a far-future ms, a seq past {@link EntryId#MAX_SEQ}) saturates with the same
   * meaning.
   */
  static long lower(StreamCursor.At at) {
    if (at.ms() > EntryId.MAX_MS) {
      return Long.MAX_VALUE;
    }
    return at.seq() > EntryId.MAX_SEQ ? after(at) : (at.ms() << SEQ_BITS) | at.seq();
  }

  /** Largest position at or before {@code at}: the whole millisecond when it is incomplete. */
  static long upper(StreamCursor.At at) {
    if (at.ms() > EntryId.MAX_MS) {
      return Long.MAX_VALUE;
    }
    long s = !at.complete() || at.seq() > EntryId.MAX_SEQ ? EntryId.MAX_SEQ : at.seq();
    return (at.ms() << SEQ_BITS) | s;
  }

  /** Smallest position strictly after {@code at} ({@code <ms>} counts as {@code <ms>-0}). */
  static long after(StreamCursor.At at) {
    if (at.ms() >= EntryId.MAX_MS && (at.ms() > EntryId.MAX_MS || at.seq() >= EntryId.MAX_SEQ)) {
      return Long.MAX_VALUE;
    }
    long s = Math.min(at.seq(), EntryId.MAX_SEQ);
    return ((at.ms() << SEQ_BITS) | s) + 1;
  }
}
