package io.tributary.api;

/** How an append is stored and retained. */
public sealed interface StreamMode {
  /** Kept (up to the durable retention cap). Wire token {@code durable}. */
  record Durable() implements StreamMode {
    @Override
    public String wire() {
      return "durable";
    }
  }

  /**
   * The payload is a patch folded into the attempt's rolling summary document, and is also
   * appended as a frame carrying the new summary version. Wire token {@code summary}.
   */
  record DurableSummary(PatchKind patchKind) implements StreamMode {
    @Override
    public String wire() {
      return "summary";
    }
  }

  /** High-rate, loss-tolerant frames trimmed to a dynamic MAXLEN. Wire token {@code best_effort}. */
  record BestEffortLive(BestEffortLiveConfig config) implements StreamMode {
    @Override
    public String wire() {
      return "best_effort";
    }
  }

  /** Token stored on each frame as its {@code mode}. */
  String wire();

  StreamMode DURABLE = new Durable();

  static StreamMode durable() {
    return DURABLE;
  }

  static StreamMode durableSummary() {
    return new DurableSummary(PatchKind.JSON_MERGE_PATCH);
  }

  static StreamMode bestEffortLive(long ttlMs) {
    return new BestEffortLive(BestEffortLiveConfig.withTtl(ttlMs));
  }

  static StreamMode bestEffortLive(BestEffortLiveConfig config) {
    return new BestEffortLive(config);
  }
}
