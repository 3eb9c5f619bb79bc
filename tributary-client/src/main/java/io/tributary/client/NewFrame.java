package io.tributary.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A frame to append to an attempt stream: its type, payload and mode. Build one with {@link
 * #durable}, {@link #summaryPatch} or {@link #bestEffort}; {@link #withCorrelationId} adds a
 * correlation id.
 *
 * @param frameType free-form classifier, e.g. {@code log}, {@code stdout}, {@code progress}
 * @param payload the bytes; any content (payloads that are not UTF-8 are read back as bytes)
 * @param mode {@code durable}, {@code summary} or {@code best_effort}
 * @param ttl best-effort only: how long live readers should see the frame; null otherwise
 * @param correlationId stored on the frame, or null
 */
public record NewFrame(String frameType, byte[] payload, String mode, Duration ttl, String correlationId) {
  /** Checks that the parts fit together. */
  public NewFrame {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(mode, "mode");
    if (mode.equals("best_effort") != (ttl != null)) {
      throw new IllegalArgumentException("a ttl is required for best_effort frames and only for them");
    }
    if (!mode.equals("durable") && !mode.equals("summary") && !mode.equals("best_effort")) {
      throw new IllegalArgumentException("mode must be durable, summary or best_effort, got " + mode);
    }
  }

  /** A durable frame (kept up to the server's durable cap). */
  public static NewFrame durable(String frameType, byte[] payload) {
    return new NewFrame(frameType, payload, "durable", null, null);
  }

  /** A durable frame with a UTF-8 text payload. */
  public static NewFrame durable(String frameType, String text) {
    return durable(frameType, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A summary frame: {@code jsonMergePatch} (RFC 7396) is folded into the attempt's summary
   * document; the string {@code "__ff_null__"} as a value stores a literal null.
   */
  public static NewFrame summaryPatch(String jsonMergePatch) {
    return new NewFrame("summary", jsonMergePatch.getBytes(StandardCharsets.UTF_8), "summary", null, null);
  }

  /** A best-effort frame, kept only as long as live readers need it ({@code ttl}). */
  public static NewFrame bestEffort(String frameType, byte[] payload, Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    return new NewFrame(frameType, payload, "best_effort", ttl, null);
  }

  /** This frame with a correlation id. */
  public NewFrame withCorrelationId(String id) {
    return new NewFrame(frameType, payload, mode, ttl, id);
  }
}
