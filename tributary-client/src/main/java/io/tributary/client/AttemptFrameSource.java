package io.tributary.client;

import java.util.ArrayList;
import java.util.List;

/**
 * The frames of an attempt stream, live from the Durable Streams attempt view. Frames at or
 * before the last one handed out are dropped (they cannot come twice anyway, since every reopen
 * starts right after the last handed-out frame's id).
 */
final class AttemptFrameSource implements Follow.Source<StoredFrame> {
  private final Transport transport;
  private final String executionId;
  private final long index;
  private final LiveReader reader;
  private final String startId;
  private String lastId;
  private String closeReason;
  private boolean streamClosed;

  AttemptFrameSource(
      Transport transport, String executionId, long index, String afterId, LiveMode mode, FollowSettings settings) {
    this.transport = transport;
    this.executionId = executionId;
    this.index = index;
    this.startId = afterId;
    this.lastId = afterId;
    this.reader =
        new LiveReader(
            transport,
            Wire.attemptView(executionId, index),
            afterId == null ? "-1" : Wire.offsetAfter(afterId),
            mode,
            settings.giveUpAfter(),
            settings.longPollTimeout());
  }

  @Override
  public List<StoredFrame> next() {
    var batch = reader.next();
    if (batch == null) {
      return null;
    }
    var frames = new ArrayList<StoredFrame>();
    for (byte[] part : batch.parts()) {
      for (var message : Transport.JSON.readTree(part)) {
        var frame = Wire.viewFrame(message);
        if (Wire.after(frame.id(), lastId)) {
          frames.add(frame);
          lastId = frame.id();
        }
      }
    }
    if (batch.closed()) {
      streamClosed = true;
      closeReason = fetchCloseReason();
    }
    return frames;
  }

  private String fetchCloseReason() {
    var response =
        transport.sendAndWait(
            Transport.Call.get(Wire.attemptPath(executionId, index) + "/stream?from=end&to=end&limit=1"),
            Transport.Repeat.ALWAYS);
    return Wire.page(Transport.JSON.readTree(response.body())).closedReason();
  }

  @Override
  public String start() {
    return startId;
  }

  @Override
  public String positionAfter(StoredFrame item) {
    return item.id();
  }

  @Override
  public String closeReason() {
    return closeReason;
  }

  @Override
  public boolean streamClosed() {
    return streamClosed;
  }

  @Override
  public void close() {
    reader.close();
  }
}
