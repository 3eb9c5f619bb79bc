package io.tributary.api;

import java.util.List;
import java.util.Objects;

/**
 * What a create ({@code PUT}) asks for.
 *
 * @param contentType the stream's content type; null only for a fork, which then inherits its
 *     source's
 * @param ttlSeconds sliding idle window, or null
 * @param expiresAtMs absolute expiry in ms since the epoch, or null (never both with a TTL); a
 *     fork with neither inherits its source's
 * @param closed create the stream already closed (after the initial messages)
 * @param messages initial content: one entry per message for JSON streams, at most one chunk for
 *     byte streams; no entry may be empty
 * @param fork where to fork from, or null for a fresh stream
 */
public record NamedStreamSpec(
    String contentType,
    Long ttlSeconds,
    Long expiresAtMs,
    boolean closed,
    List<byte[]> messages,
    NamedStreamFork fork) {

  public NamedStreamSpec {
    messages = List.copyOf(messages == null ? List.of() : messages);
    if (contentType == null && fork == null) {
      throw new IllegalArgumentException("contentType is required unless forking");
    }
    if (ttlSeconds != null && expiresAtMs != null) {
      throw new IllegalArgumentException("give a TTL or an expiry time, not both");
    }
    if (ttlSeconds != null && ttlSeconds < 0) {
      throw new IllegalArgumentException("ttlSeconds must be >= 0");
    }
    for (var m : messages) {
      if (Objects.requireNonNull(m, "message").length == 0) {
        throw new IllegalArgumentException("messages must not be empty");
      }
    }
  }

  /** A plain, open stream of the given content type with no initial content and no expiry. */
  public static NamedStreamSpec of(String contentType) {
    return new NamedStreamSpec(contentType, null, null, false, List.of(), null);
  }
}
