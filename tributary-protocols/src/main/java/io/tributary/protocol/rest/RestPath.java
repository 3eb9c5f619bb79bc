package io.tributary.protocol.rest;

import java.util.Arrays;
import java.util.Set;

/**
 * Where a request under {@code /v1/executions} points: which resource, and the raw (still
 * unparsed) execution id and attempt index taken from the path.
 *
 * @param resource what the path names
 * @param executionId the {@code {id}} segment, or null for {@link Resource#EXECUTIONS}
 * @param attemptIndex the {@code {idx}} segment, or null when the path has none
 */
record RestPath(Resource resource, String executionId, String attemptIndex) {
  static final String PREFIX = "/v1/executions";

  /** The REST resources and the methods each answers. */
  enum Resource {
    EXECUTIONS(Set.of("POST")),
    ATTEMPTS(Set.of("POST")),
    RECLAIM(Set.of("POST")),
    RENEW(Set.of("POST")),
    CLOSE(Set.of("POST")),
    STREAM(Set.of("GET", "POST")),
    TAIL(Set.of("GET")),
    BATCH(Set.of("POST")),
    SUMMARY(Set.of("GET"));

    final Set<String> methods;

    Resource(Set<String> methods) {
      this.methods = methods;
    }
  }

  /** True when the path belongs to this API, whether or not it names a resource. */
  static boolean owns(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  /** The resource a decoded path names, or null when it names none. */
  static RestPath match(String path) {
    if (!owns(path)) {
      return null;
    }
    String rest = path.substring(PREFIX.length());
    if (rest.isEmpty()) {
      return new RestPath(Resource.EXECUTIONS, null, null);
    }
    String[] s = rest.substring(1).split("/", -1);
    if (Arrays.stream(s).anyMatch(String::isEmpty)) {
      return null;
    }
    return switch (s.length) {
      case 2 ->
          switch (s[1]) {
            case "attempts" -> new RestPath(Resource.ATTEMPTS, s[0], null);
            case "reclaim" -> new RestPath(Resource.RECLAIM, s[0], null);
            default -> null;
          };
      case 4 -> {
        if (!s[1].equals("attempts")) {
          yield null;
        }
        var resource =
            switch (s[3]) {
              case "renew" -> Resource.RENEW;
              case "close" -> Resource.CLOSE;
              case "stream" -> Resource.STREAM;
              case "summary" -> Resource.SUMMARY;
              default -> null;
            };
        yield resource == null ? null : new RestPath(resource, s[0], s[2]);
      }
      case 5 ->
          !s[1].equals("attempts") || !s[3].equals("stream") ? null
              : s[4].equals("tail") ? new RestPath(Resource.TAIL, s[0], s[2])
              : s[4].equals("batch") ? new RestPath(Resource.BATCH, s[0], s[2])
              : null;
      default -> null;
    };
  }

  /**
   * The attempt index as a u32.
   *
   * @throws RestException 400 when the segment is not a decimal u32
   */
  long parsedAttemptIndex() {
    String s = attemptIndex;
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw RestException.badRequest("invalid attempt index '" + s + "': expected a u32");
    }
    long v = Long.parseLong(s);
    if (v > 0xFFFF_FFFFL) {
      throw RestException.badRequest("invalid attempt index '" + s + "': expected a u32");
    }
    return v;
  }
}
