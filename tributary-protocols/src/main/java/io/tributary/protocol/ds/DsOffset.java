package io.tributary.protocol.ds;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A read position as the protocol spells it: {@code -1} (the start), {@code now} (the current
 * tail) or a minted offset {@code %016d_%016d}. Minted offsets sort lexicographically in stream
 * order because both parts are zero-padded; named streams use (0, byte position), attempt streams
 * (ms, seq) of an entry id.
 */
sealed interface DsOffset {
  /** The start of the stream ({@code -1}, or no offset at all). */
  record Start() implements DsOffset {}

  /** The tail at the time of the request. */
  record Now() implements DsOffset {}

  /** A minted offset. */
  record At(long hi, long lo) implements DsOffset {}

  DsOffset START = new Start();
  DsOffset NOW = new Now();

  Pattern MINTED = Pattern.compile("\\d{16}_\\d{16}");

  /** The offset of a named stream's byte position. */
  static String ofPosition(long pos) {
    return format(0, pos);
  }

  /** Formats a minted offset. */
  static String format(long hi, long lo) {
    return String.format("%016d_%016d", hi, lo);
  }

  /**
   * Parses the {@code offset} query parameter (all its values, in order): absent means the start;
   * anything but a single {@code -1}, {@code now} or minted offset is a 400.
   */
  static DsOffset parse(List<String> values) {
    if (values == null) {
      return START;
    }
    if (values.size() != 1) {
      throw DsException.badRequest("give the offset parameter once");
    }
    return parse(values.getFirst());
  }

  /** Parses one offset token; see {@link #parse(List)}. */
  static DsOffset parse(String raw) {
    if (raw.equals("-1")) {
      return START;
    }
    if (raw.equals("now")) {
      return NOW;
    }
    if (!MINTED.matcher(raw).matches()) {
      throw DsException.badRequest(
          "malformed offset '" + printable(raw) + "': use -1, now, or an offset the server returned");
    }
    return new At(Long.parseLong(raw, 0, 16, 10), Long.parseLong(raw, 17, 33, 10));
  }

  private static String printable(String raw) {
    var s = raw.length() > 64 ? raw.substring(0, 64) + "..." : raw;
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
