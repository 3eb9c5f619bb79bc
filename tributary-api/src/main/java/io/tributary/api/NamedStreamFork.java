package io.tributary.api;

import java.util.Objects;

/**
 * Where a new named stream forks from.
 *
 * @param sourcePath the source stream's path, as used for its requests
 * @param offset the position in the source where inheritance ends, or null for the source's tail
 *     at creation time
 * @param subOffset how far past {@code offset} the fork point lies: bytes for byte streams,
 *     messages for JSON streams; 0 for none
 */
public record NamedStreamFork(String sourcePath, Long offset, long subOffset) {
  public NamedStreamFork {
    Objects.requireNonNull(sourcePath, "sourcePath");
    if (subOffset < 0) {
      throw new IllegalArgumentException("subOffset must be >= 0");
    }
  }
}
