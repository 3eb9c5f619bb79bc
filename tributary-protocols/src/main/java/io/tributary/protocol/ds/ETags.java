package io.tributary.protocol.ds;

/**
 * Entity tags of catch-up reads: which stream, which range, and whether the range ends the
 * (closed) stream, so a tag changes when data is appended or the stream closes.
 */
final class ETags {
  private ETags() {}

  static String of(String stream, Object from, Object to, boolean closed) {
    return "\"" + stream + ":" + from + ":" + to + (closed ? ":c" : "") + "\"";
  }

  /** True when an {@code If-None-Match} value ({@code *} or a list of tags) names {@code etag}. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (var candidate : ifNoneMatch.split(",")) {
      var tag = candidate.strip();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
