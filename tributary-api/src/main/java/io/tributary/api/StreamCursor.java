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
   * A concrete id as given: {@code complete} is false for the {@code <ms>} form (whose seq is 0).
   * Any grammatical id is accepted, also beyond what the store can mint (a far-future {@code ms},
   * or a seq past {@link EntryId#MAX_SEQ}); stores then saturate with the same meaning, e.g. an
   * upper bound {@code 99999999999999999} reads everything.
   */
  record At(long ms, long seq, boolean complete) implements StreamCursor {
    public At {
      if (ms < 0 || seq < 0 || (!complete && seq != 0)) {
        throw new IllegalArgumentException("invalid cursor " + ms + "-" + seq);
      }
    }

    public At(EntryId id, boolean complete) {
      this(id.ms(), id.seq(), complete);
    }

    /**
     * The id this cursor names.
     *
     * @throws ValidationException when it lies beyond what an entry id can hold
     */
    public EntryId id() {
      return new EntryId(ms, seq);
    }

    @Override
    public String toString() {
      return complete ? ms + "-" + seq : Long.toString(ms);
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
    if (dash < 0) {
      return new At(saturated(text, 0, text.length()), 0, false);
    }
    return new At(saturated(text, 0, dash), saturated(text, dash + 1, text.length()), true);
  }

  /** A digit run as a long; values past {@code Long.MAX_VALUE} saturate (they sort last anyway). */
  private static long saturated(String text, int from, int to) {
    try {
      return Long.parseLong(text, from, to, 10);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static ValidationException malformed(String text) {
    return new ValidationException(
        ValidationKind.MALFORMED_CURSOR,
        "malformed cursor '" + text + "': expected start, end, <ms> or <ms>-<seq>");
  }
}
