package io.tributary.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What a protocol handler answers: either a complete body, or a body streamed by the handler
 * (SSE) through an {@link EventSink} that the server adapter flushes per write.
 */
public sealed interface HttpResponse {
  int status();

  HttpHeaders headers();

  /** A response whose body is known up front. */
  record Full(int status, HttpHeaders headers, byte[] body) implements HttpResponse {
    public Full {
      headers = headers == null ? new HttpHeaders() : headers;
      body = body == null ? new byte[0] : body;
    }
  }

  /**
   * A response written incrementally. The adapter sends status and headers, then calls {@link
   * StreamBody#writeTo} on the request's thread; the body returns when the stream is done or the
   * client went away (a write throws {@link IOException}).
   */
  record Streaming(int status, HttpHeaders headers, StreamBody body) implements HttpResponse {}

  /** Writes a streamed body. */
  @FunctionalInterface
  interface StreamBody {
    void writeTo(EventSink sink) throws IOException;
  }

  /** The output of a streamed body; every {@link #write} is flushed to the client at once. */
  interface EventSink {
    void write(byte[] chunk) throws IOException;

    default void write(String text) throws IOException {
      write(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code action} once when the client has gone away (its connection closed or failed),
     * possibly on another thread, and at once when it already has; a body parked between writes
     * uses it to end without waiting for its next write to fail. An adapter that cannot tell
     * never runs it.
     */
    default void onClientGone(Runnable action) {}

    /** True when {@link #writeAsync} writes (an adapter that can write without blocking). */
    default boolean canWriteAsync() {
      return false;
    }

    /**
     * Starts writing {@code chunk} without waiting for it and runs {@code done} once it is written
     * ({@code null}) or has failed (the failure; the client is then gone), possibly on another
     * thread and possibly before this returns. Only one write may be under way at a time: the
     * body starts no other write, blocking or not, until {@code done} has run. Adapters that
     * cannot ({@link #canWriteAsync} false) write nothing and never run {@code done}.
     */
    default void writeAsync(byte[] chunk, java.util.function.Consumer<Throwable> done) {
      throw new UnsupportedOperationException("this output cannot write without blocking");
    }
  }

  static Full of(int status, HttpHeaders headers, String body) {
    return new Full(status, headers, body.getBytes(StandardCharsets.UTF_8));
  }
}
