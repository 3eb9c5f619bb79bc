package io.tributary.protocol.ds.subscription;

import java.util.Arrays;
import java.util.List;

/**
 * A subscription pattern over stream paths relative to the stream root: segments split at
 * {@code /}; {@code *} matches exactly one segment, {@code **} any number (also none), anything
 * else itself.
 */
final class GlobPattern {
  private final List<String> segments;

  GlobPattern(String pattern) {
    segments = split(pattern);
  }

  /** True when {@code relativePath} (e.g. {@code events/a}) matches. */
  boolean matches(String relativePath) {
    return match(0, split(relativePath), 0);
  }

  /**
   * The part of the pattern before its first wildcard segment, ending in {@code /} when it is not
   * the whole pattern: every matching path starts with it.
   */
  String literalPrefix() {
    var out = new StringBuilder();
    for (var segment : segments) {
      if (segment.equals("*") || segment.equals("**")) {
        return out.toString();
      }
      out.append(segment).append('/');
    }
    return out.isEmpty() ? "" : out.substring(0, out.length() - 1);
  }

  private boolean match(int p, List<String> path, int s) {
    while (p < segments.size()) {
      var segment = segments.get(p);
      if (segment.equals("**")) {
        for (int skip = s; skip <= path.size(); skip++) {
          if (match(p + 1, path, skip)) {
            return true;
          }
        }
        return false;
      }
      if (s >= path.size() || !(segment.equals("*") || segment.equals(path.get(s)))) {
        return false;
      }
      p++;
      s++;
    }
    return s == path.size();
  }

  private static List<String> split(String path) {
    return Arrays.stream(path.split("/")).filter(part -> !part.isEmpty()).toList();
  }
}
