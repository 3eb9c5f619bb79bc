package io.tributary.protocol.rest;

import io.tributary.api.BestEffortLiveConfig;
import io.tributary.api.Frame;
import io.tributary.api.FrameKind;
import io.tributary.api.PatchKind;
import io.tributary.api.StreamMode;
import io.tributary.protocol.HttpHeaders;
import java.util.List;

/**
 * Builds the frame of {@code POST …/stream} from its query parameters; the body is the payload,
 * the optional {@code Idempotency-Key} header names the append (see {@link #idempotencyKey}).
 *
 * <table>
 *   <tr><th>parameter</th><th>meaning</th></tr>
 *   <tr><td>{@code frame_type}</td><td>free-form classifier; default: the {@code kind}</td></tr>
 *   <tr><td>{@code kind}</td><td>{@code stdout|stderr|event|blob}, default {@code event}</td></tr>
 *   <tr><td>{@code correlation_id}</td><td>optional</td></tr>
 *   <tr><td>{@code mode}</td><td>{@code durable} (default), {@code summary}, {@code
 *       best_effort}</td></tr>
 *   <tr><td>{@code patch_kind}</td><td>summary only; {@code json-merge-patch}</td></tr>
 *   <tr><td>{@code ttl_ms}</td><td>best_effort only, required</td></tr>
 *   <tr><td>{@code maxlen_floor}, {@code maxlen_ceiling}, {@code ema_alpha}</td><td>best_effort
 *       only, optional</td></tr>
 * </table>
 */
final class AppendParams {
  private static final List<String> BEST_EFFORT_KNOBS =
      List.of("ttl_ms", "maxlen_floor", "maxlen_ceiling", "ema_alpha");

  private AppendParams() {}

  /**
   * The value of the {@code Idempotency-Key} header, or null when absent. Length and characters
   * are checked by the store, like every other frame field.
   *
   * @throws RestException 400 when the header is repeated or empty
   */
  static String idempotencyKey(HttpHeaders headers) {
    var values = headers.all(FlowFabricRestHandler.IDEMPOTENCY_KEY_HEADER);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw RestException.badRequest(
          FlowFabricRestHandler.IDEMPOTENCY_KEY_HEADER + " must be given once, got " + values.size());
    }
    var key = values.getFirst();
    if (key.isEmpty()) {
      throw RestException.badRequest(
          FlowFabricRestHandler.IDEMPOTENCY_KEY_HEADER + " must not be empty; omit it for an unnamed append");
    }
    return key;
  }

  /**
   * The frame to append.
   *
   * @throws RestException 400 for an unknown mode or kind, a knob given for the wrong mode, or a
   *     knob out of range
   */
  static Frame frame(QueryParams q, byte[] payload) {
    var kind = kind(q.string("kind"));
    var mode = mode(q);
    return new Frame(payload, kind, q.string("frame_type"), q.string("correlation_id"), mode);
  }

  private static FrameKind kind(String text) {
    if (text == null) {
      return FrameKind.EVENT;
    }
    for (var k : FrameKind.values()) {
      if (k.wire().equals(text)) {
        return k;
      }
    }
    throw RestException.badRequest("kind must be one of stdout, stderr, event, blob; got '" + text + "'");
  }

  private static StreamMode mode(QueryParams q) {
    String mode = q.string("mode");
    mode = mode == null ? "durable" : mode;
    if (!mode.equals("best_effort")) {
      for (var knob : BEST_EFFORT_KNOBS) {
        if (q.string(knob) != null) {
          throw RestException.badRequest(knob + " applies only to mode=best_effort");
        }
      }
    }
    if (!mode.equals("summary") && q.string("patch_kind") != null) {
      throw RestException.badRequest("patch_kind applies only to mode=summary");
    }
    return switch (mode) {
      case "durable" -> StreamMode.durable();
      case "summary" -> summary(q.string("patch_kind"));
      case "best_effort" -> bestEffort(q);
      default ->
          throw RestException.badRequest(
              "mode must be one of durable, summary, best_effort; got '" + mode + "'");
    };
  }

  private static StreamMode summary(String patchKind) {
    if (patchKind != null && !patchKind.equals(PatchKind.JSON_MERGE_PATCH.wire())) {
      throw RestException.badRequest(
          "unsupported patch_kind '" + patchKind + "'; only json-merge-patch is supported");
    }
    return StreamMode.durableSummary();
  }

  private static StreamMode bestEffort(QueryParams q) {
    if (q.string("ttl_ms") == null) {
      throw RestException.badRequest("mode=best_effort requires ttl_ms");
    }
    var config =
        BestEffortLiveConfig.withTtl(u32(q, "ttl_ms", 0))
            .withMaxlenFloor(u32(q, "maxlen_floor", BestEffortLiveConfig.DEFAULT_MAXLEN_FLOOR))
            .withMaxlenCeiling(u32(q, "maxlen_ceiling", BestEffortLiveConfig.DEFAULT_MAXLEN_CEILING))
            .withEmaAlpha(alpha(q.string("ema_alpha")));
    return StreamMode.bestEffortLive(config);
  }

  private static long u32(QueryParams q, String name, long fallback) {
    long v = q.unsigned(name, fallback);
    if (v > 0xFFFF_FFFFL) {
      throw RestException.badRequest(name + " must fit in a u32, got " + v);
    }
    return v;
  }

  private static double alpha(String text) {
    if (text == null) {
      return BestEffortLiveConfig.DEFAULT_EMA_ALPHA;
    }
    try {
      double v = Double.parseDouble(text);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the 400 below
    }
    throw RestException.badRequest("ema_alpha must be a decimal number, got '" + text + "'");
  }
}
