package io.tributary.cli;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into frames of one line each, the newline kept (so the frames joined give
 * the stream back byte for byte); a line longer than the frame limit goes out in pieces of the
 * limit. Bytes are never decoded, so any encoding, or none, survives.
 */
final class LineFramer {
  private final int maxFrameBytes;
  private final Consumer<byte[]> frames;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  LineFramer(int maxFrameBytes, Consumer<byte[]> frames) {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("frame size limit must be >= 1");
    }
    this.maxFrameBytes = maxFrameBytes;
    this.frames = frames;
  }

  /** Feeds bytes; complete lines (and full pieces) are handed on at once. */
  void feed(byte[] buffer, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      line.write(buffer[i]);
      if (buffer[i] == '\n' || line.size() == maxFrameBytes) {
        emit();
      }
    }
  }

  /** The end of the stream: a last line without a newline goes out as it is. */
  void finish() {
    if (line.size() > 0) {
      emit();
    }
  }

  private void emit() {
    frames.accept(line.toByteArray());
    line.reset();
  }
}
