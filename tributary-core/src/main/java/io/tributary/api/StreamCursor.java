package io.tributary.api;

/**
 * A position in a stream as callers name it: {@code start}, {@code end}, {@code <ms>} or {@code
 * <ms>-<seq>}.
 *
 * <p>Parsing is strict: an empty string, a bare {@code -} or {@code +}, and anything outside
 * {@code ^[0-9]+(-[0-9]+)?$} are rejected with distinct {@link ValidationKind}s. {@code start} and
 * {@code end} are case-sensitive. An incomplete id {@code <ms>} means {@code <ms>-0} as a lower
 * bound or tail cursor, and the whole millisecond as an upper bound.
 */
public sealed interface StreamCursor {
  /** Before the first entry. */
  record Start() implements StreamCursor {
    @Override
    public String toString() {
      return "start";
    }
  }

  /** After the last entry. */
  record End() implements StreamCursor {
    @Override
    public String toString() {
      return "end";
    }
  }

  /**
   * A concrete id. {@code complete} is false for the {@code <ms>} form, whose {@link #id()} has
   * sequence 0.
   */
  record At(EntryId id, boolean complete) implements StreamCursor {
    /** Position of this cursor as a lower bound (or tail cursor). */
    public long lowerPosition() {
      return id.position();
    }

    /** Position of this cursor as an inclusive upper bound: the whole ms when incomplete. */
    public long upperPosition() {
      return complete ? id.position() : id.position() | EntryId.MAX_SEQ;
    }

    @Override
    public String toString() {
      return complete ? id.toString() : Long.toString(id.ms());
    }
  }

  StreamCursor START = new Start();
  StreamCursor END = new End();

  /** {@code 0-0}: the documented way to tail from the beginning. */
  static At fromBeginning() {
    return new At(EntryId.ZERO, true);
  }

  static At at(EntryId id) {
    return new At(id, true);
  }

  /** Parses a cursor token; see the class comment for the grammar. */
  static StreamCursor parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new ValidationException(ValidationKind.EMPTY_CURSOR, "cursor is empty");
    }
    if (text.equals("-") || text.equals("+")) {
      throw new ValidationException(
          ValidationKind.BARE_MARKER_REJECTED,
          "bare '" + text + "' is not accepted; use 'start' or 'end'");
    }
    if (text.equals("start")) {
      return START;
    }
    if (text.equals("end")) {
      return END;
    }
    int dash = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '-' && dash < 0 && i > 0) {
        dash = i;
      } else if (c < '0' || c > '9') {
        throw malformed(text);
      }
    }
    if (dash == text.length() - 1) {
      throw malformed(text);
    }
    try {
      if (dash < 0) {
        return new At(new EntryId(Long.parseLong(text), 0), false);
      }
      return new At(
          new EntryId(
              Long.parseLong(text.substring(0, dash)), Long.parseLong(text.substring(dash + 1))),
          true);
    } catch (NumberFormatException e) {
      throw malformed(text);
    }
  }

  private static ValidationException malformed(String text) {
    return new ValidationException(
        ValidationKind.MALFORMED_CURSOR,
        "malformed cursor '" + text + "': expected start, end, <ms> or <ms>-<seq>");
  }
}
