package io.tributary.api;

import java.util.Objects;

/**
 * A named (Durable Streams) stream as the stream list shows it.
 *
 * @param path the stream's full path, e.g. {@code /v1/stream/chat/42}
 * @param contentType the content type given at creation
 * @param createdAtMs when it was created (ms since the epoch)
 * @param closed true once closed
 * @param frameCount lifetime appends of the stream itself (a fork's inherited prefix not counted)
 * @param totalBytes lifetime payload bytes of the stream itself
 * @param expiresAtMs when it expires (the earlier of its absolute expiry and its idle window), or
 *     null when it never does
 */
public record NamedStreamListing(
    String path,
    String contentType,
    long createdAtMs,
    boolean closed,
    long frameCount,
    long totalBytes,
    Long expiresAtMs) {

  public NamedStreamListing {
    Objects.requireNonNull(path, "path");
  }
}
