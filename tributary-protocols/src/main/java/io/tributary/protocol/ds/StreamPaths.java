package io.tributary.protocol.ds;

/**
 * Stream paths are keys in the database: bounded in length (an index entry must fit) and free of
 * control characters (PostgreSQL text cannot hold NUL).
 */
final class StreamPaths {
  static final int MAX_LENGTH = 1024;

  private StreamPaths() {}

  /** Returns {@code path} when usable as a stream key, else throws a 400 naming {@code what}. */
  static String checked(String path, String what) {
    if (path.length() > MAX_LENGTH) {
      throw DsException.badRequest(what + " is longer than " + MAX_LENGTH + " characters");
    }
    if (path.chars().anyMatch(Character::isISOControl)) {
      throw DsException.badRequest(what + " must not contain control characters");
    }
    return path;
  }
}
