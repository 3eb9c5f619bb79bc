package io.tributary.client;

import java.nio.charset.StandardCharsets;

/**
 * A frame read back from an attempt stream.
 *
 * @param id {@code <ms>-<seq>}, strictly increasing within the stream
 * @param frameType the classifier it was appended with
 * @param mode {@code durable}, {@code summary} or {@code best_effort}
 * @param timestampMs when the server stored it
 * @param payload the bytes as appended
 * @param correlationId as appended, or null
 */
public record StoredFrame(
    String id, String frameType, String mode, long timestampMs, byte[] payload, String correlationId) {
  /** The payload as UTF-8 text (invalid sequences become U+FFFD). */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** Milliseconds part of the id. */
  long idMs() {
    return Long.parseLong(id.substring(0, id.indexOf('-')));
  }

  /** Sequence part of the id. */
  long idSeq() {
    return Long.parseLong(id.substring(id.indexOf('-') + 1));
  }
}
