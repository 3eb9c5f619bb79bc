package io.tributary.api;

/**
 * A frame's id inside its stream, text form {@code <ms>-<seq>}: milliseconds and a sequence that
 * restarts at 0 for each new millisecond. Ids strictly increase within a stream, even when the
 * clock steps back (the store reuses the last millisecond and bumps the sequence).
 */
public record EntryId(long ms, long seq) implements Comparable<EntryId> {
  /**
   * Largest sequence a single millisecond can hold: a 65 537th append within one millisecond of
   * one stream rolls into the next millisecond.
   */
  public static final long MAX_SEQ = 65_535;

  /** Largest millisecond an id can hold (2^47 - 1: good until the year 6429). */
  public static final long MAX_MS = (1L << 47) - 1;

  public static final EntryId ZERO = new EntryId(0, 0);

  public EntryId {
    if (ms < 0 || ms > MAX_MS || seq < 0 || seq > MAX_SEQ) {
      throw new ValidationException(
          ValidationKind.MALFORMED_CURSOR, "entry id out of range: " + ms + "-" + seq);
    }
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
