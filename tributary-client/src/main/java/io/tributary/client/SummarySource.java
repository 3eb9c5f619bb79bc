package io.tributary.client;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Each new version of an attempt's summary: read again whenever a summary frame goes by. */
final class SummarySource implements Follow.Source<Summary> {
  private final AttemptFrameSource frames;
  private final Supplier<Optional<Summary>> read;
  private long lastVersion = -1;
  private boolean first = true;

  SummarySource(AttemptFrameSource frames, Supplier<Optional<Summary>> read) {
    this.frames = frames;
    this.read = read;
  }

  @Override
  public List<Summary> next() {
    if (first) {
      first = false;
      return fresh();
    }
    var batch = frames.next();
    if (batch == null) {
      return null;
    }
    boolean patched = batch.stream().anyMatch(f -> "summary".equals(f.mode()));
    return patched || frames.streamClosed() ? fresh() : List.of();
  }

  private List<Summary> fresh() {
    var summary = read.get();
    if (summary.isPresent() && summary.get().version() > lastVersion) {
      lastVersion = summary.get().version();
      return List.of(summary.get());
    }
    return List.of();
  }

  @Override
  public String start() {
    return null;
  }

  @Override
  public String positionAfter(Summary item) {
    return Long.toString(item.version());
  }

  @Override
  public String closeReason() {
    return frames.closeReason();
  }

  @Override
  public boolean streamClosed() {
    return frames.streamClosed();
  }

  @Override
  public void close() {
    frames.close();
  }
}
