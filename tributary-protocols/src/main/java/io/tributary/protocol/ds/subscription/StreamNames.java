package io.tributary.protocol.ds.subscription;

import java.util.regex.Pattern;

/**
 * Stream names as subscriptions speak them (relative to the stream root, e.g. {@code events/a})
 * against the full paths streams are stored under ({@code /v1/stream/events/a}), and positions as
 * offsets.
 */
final class StreamNames {
  /** The stream root, the Durable Streams handler's prefix. */
  static final String ROOT = "/v1/stream/";
  /** The reserved control prefix under the root. */
  static final String CONTROL = "__ds";

  private static final Pattern MINTED = Pattern.compile("(\\d{16})_(\\d{16})");

  private StreamNames() {}

  /** {@code name} without leading and trailing slashes. */
  static String normalize(String name) {
    int from = 0;
    int to = name.length();
    while (from < to && name.charAt(from) == '/') {
      from++;
    }
    while (to > from && name.charAt(to - 1) == '/') {
      to--;
    }
    return name.substring(from, to);
  }

  static String full(String relative) {
    return ROOT + relative;
  }

  /** The name of a stream under the root, or null for other paths and control routes. */
  static String relative(String fullPath) {
    if (!fullPath.startsWith(ROOT)) {
      return null;
    }
    var rel = fullPath.substring(ROOT.length());
    return rel.isEmpty() || isControl(rel) ? null : rel;
  }

  /** True for {@code __ds} and everything under it. */
  static boolean isControl(String relative) {
    return relative.equals(CONTROL) || relative.startsWith(CONTROL + "/");
  }

  /** The offset of a named-stream position; {@code -1} for "nothing acked". */
  static String offset(long pos) {
    return pos < 0 ? "-1" : String.format("%016d_%016d", 0, pos);
  }

  /**
   * The position of an offset a client acks.
   *
   * @throws SubscriptionFault {@code INVALID_OFFSET} for {@code -1}, {@code now} or anything this
   *     server did not mint
   */
  static long ackPosition(String offset) {
    var m = offset == null ? null : MINTED.matcher(offset);
    if (m == null || !m.matches() || Long.parseLong(m.group(1)) != 0) {
      throw SubscriptionFault.invalidOffset("ack offset '" + offset + "' is not an offset of a stream");
    }
    return Long.parseLong(m.group(2));
  }
}
