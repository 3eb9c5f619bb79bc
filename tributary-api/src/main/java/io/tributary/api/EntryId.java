package io.tributary.api;

/**
 * A frame's id inside its stream, text form {@code <ms>-<seq>}: milliseconds and a sequence that
 * restarts at 0 for each new millisecond. Ids strictly increase within a stream, even when the
 * clock steps back (the store reuses the last millisecond and bumps the sequence).
 */
public record EntryId(long ms, long seq) implements Comparable<EntryId> {
  /**
   * Bits of the packed position that hold the sequence; see {@link #position()}. 16 bits leave 47
   * for the milliseconds (good until the year 6429); a 65 537th append within one millisecond of
   * one stream rolls into the next millisecond.
   */
  public static final int SEQ_BITS = 16;

  /** Largest sequence a single millisecond can hold before the store moves to the next one. */
  public static final long MAX_SEQ = (1L << SEQ_BITS) - 1;

  /** Largest millisecond a packed position can hold. */
  public static final long MAX_MS = Long.MAX_VALUE >>> SEQ_BITS;

  public static final EntryId ZERO = new EntryId(0, 0);

  public EntryId {
    if (ms < 0 || ms > MAX_MS || seq < 0 || seq > MAX_SEQ) {
      throw new ValidationException(
          ValidationKind.MALFORMED_CURSOR, "entry id out of range: " + ms + "-" + seq);
    }
  }

  /** The id packed into one sortable long: {@code ms << 16 | seq}. */
  public long position() {
    return (ms << SEQ_BITS) | seq;
  }

  /** Inverse of {@link #position()}. */
  public static EntryId ofPosition(long position) {
    return new EntryId(position >>> SEQ_BITS, position & MAX_SEQ);
  }

  /**
   * Parses {@code <ms>-<seq>} (both parts required).
   *
   * @throws ValidationException when the text is not a complete entry id
   */
  public static EntryId parse(String text) {
    var cursor = StreamCursor.parse(text);
    if (cursor instanceof StreamCursor.At at && at.complete()) {
      return at.id();
    }
    throw new ValidationException(
        ValidationKind.MALFORMED_CURSOR, "not a complete entry id <ms>-<seq>: '" + text + "'");
  }

  @Override
  public int compareTo(EntryId o) {
    int c = Long.compare(ms, o.ms);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }

  @Override
  public String toString() {
    return ms + "-" + seq;
  }
}
