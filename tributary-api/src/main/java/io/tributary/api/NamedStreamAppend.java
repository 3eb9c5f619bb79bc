package io.tributary.api;

import java.util.List;
import java.util.Objects;

/**
 * What an append ({@code POST}) asks for.
 *
 * @param contentType the request's content type (must match the stream's unless close-only); may
 *     be null for close-only
 * @param messages the data: one entry per message for JSON streams, one chunk for byte streams;
 *     empty means close-only (then {@code close} must be true); no entry may be empty
 * @param close close the stream after this append
 * @param streamSeq the writer's Stream-Seq (byte-wise increasing per stream), or null
 * @param producer the idempotent producer stamp, or null
 */
public record NamedStreamAppend(
    String contentType,
    List<byte[]> messages,
    boolean close,
    String streamSeq,
    NamedStreamProducer producer) {

  public NamedStreamAppend {
    messages = List.copyOf(messages == null ? List.of() : messages);
    if (messages.isEmpty() && !close) {
      throw new IllegalArgumentException("an append needs data or close");
    }
    for (var m : messages) {
      if (Objects.requireNonNull(m, "message").length == 0) {
        throw new IllegalArgumentException("messages must not be empty");
      }
    }
  }

  /** A plain append of one chunk. */
  public static NamedStreamAppend of(String contentType, byte[] data) {
    return new NamedStreamAppend(contentType, List.of(data), false, null, null);
  }
}
