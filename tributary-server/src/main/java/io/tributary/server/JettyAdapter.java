package io.tributary.server;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that touches Jetty's request and response types: reads the whole request into an
 * {@link HttpRequest}, lets the {@link HttpRouter} answer, writes the answer back. Runs on a
 * virtual thread per request, so a parked tail or an SSE body simply blocks here.
 *
 * <p>A body that ends early, has broken chunk framing or exceeds the size limit is answered with
 * 400 or 413 before the router sees anything, so a cut-short request never writes.
 */
final class JettyAdapter extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(JettyAdapter.class);
  /** Framing headers belong to the server, which computes them from what it actually sends. */
  private static final Set<String> FRAMING_HEADERS =
      Set.of("content-length", "transfer-encoding", "connection");

  /** The most a request body's array starts with from its Content-Length; larger ones grow. */
  static final int INITIAL_BODY_CAP = 1 << 20;
  /** A chunked body's array to start with (it doubles as the body grows). */
  static final int CHUNKED_BODY_START = 8 * 1024;

  private final HttpRouter router;
  private final long maxBodyBytes;

  JettyAdapter(HttpRouter router, long maxBodyBytes) {
    super(InvocationType.BLOCKING);
    this.router = router;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public boolean handle(Request req, Response res, Callback callback) {
    HttpRequest request;
    try {
      request = toRequest(req);
    } catch (BodyRejected e) {
      sendFull(req, res, ErrorEnvelope.response(e.status, e.getMessage(), ErrorEnvelope.kindOf(e.status), false), callback);
      return true;
    }
    HttpResponse response;
    try {
      response = router.handle(request);
    } catch (RuntimeException e) {
      log.error("unhandled failure answering {} {}", request.method(), request.path(), e);
      response = ErrorEnvelope.response(500, "internal error", "internal", false);
    }
    switch (response) {
      case HttpResponse.Full full -> sendFull(req, res, full, callback);
      case HttpResponse.Streaming streaming -> sendStreaming(request, req, streaming, res, callback);
    }
    return true;
  }

  private HttpRequest toRequest(Request req) throws BodyRejected {
    var headers = new HttpHeaders();
    for (HttpField field : req.getHeaders()) {
      headers.add(field.getName(), field.getValue());
    }
    var uri = req.getHttpURI();
    String path = uri.getDecodedPath();
    return new HttpRequest(req.getMethod(), path == null ? "/" : path, uri.getQuery(), headers, readBody(req));
  }

  private byte[] readBody(Request req) throws BodyRejected {
    for (String coding : req.getHeaders().getCSV(HttpHeader.TRANSFER_ENCODING, false)) {
      // Jetty decodes the chunking and passes any other coding through as if it were none
      if (!coding.equalsIgnoreCase("chunked")) {
        throw new BodyRejected(501, "transfer coding '" + coding + "' is not supported; send the body chunked or with Content-Length");
      }
    }
    long declared = req.getLength();
    if (declared > maxBodyBytes) {
      throw new BodyRejected(413, "request body exceeds the server's limit (see --max-body-bytes)");
    }
    if (declared == 0) {
      return null;
    }
    boolean chunked = req.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    if (declared < 0 && !chunked) {
      return null;
    }
    try (InputStream in = Content.Source.asInputStream(req)) {
      // read straight into the array that is returned: sized by Content-Length (capped, since a
      // client may announce more than it sends), grown only for chunked or larger bodies
      byte[] body = new byte[declared > 0 ? (int) Math.min(declared, INITIAL_BODY_CAP) : CHUNKED_BODY_START];
      int length = 0;
      while (true) {
        if (length == body.length) {
          int next = in.read();
          if (next < 0) {
            return body;
          }
          if (length + 1L > maxBodyBytes) {
            throw new BodyRejected(413, "request body exceeds the server's limit (see --max-body-bytes)");
          }
          body = Arrays.copyOf(body, (int) Math.min((long) body.length * 2, Math.min(maxBodyBytes, Integer.MAX_VALUE - 8)));
          body[length++] = (byte) next;
        }
        int n = in.read(body, length, body.length - length);
        if (n < 0) {
          return length == body.length ? body : Arrays.copyOf(body, length);
        }
        length += n;
      }
    } catch (IOException | RuntimeException e) {
      // Jetty reports a body cut short (EOF before Content-Length or the last chunk) and broken
      // chunk framing as exceptions from the read; the request is rejected whole
      throw new BodyRejected(400, "request body is incomplete or malformed: " + reason(e));
    }
  }

  private static String reason(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static void copyHeaders(HttpResponse response, Response res, boolean keepLength) {
    res.setStatus(response.status());
    response
        .headers()
        .forEach(
            (name, value) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (FRAMING_HEADERS.contains(lower) && !(keepLength && lower.equals("content-length"))) {
                return;
              }
              res.getHeaders().add(name, value);
            });
  }

  private static void sendFull(Request req, Response res, HttpResponse.Full full, Callback callback) {
    boolean head = req.getMethod().equals("HEAD");
    copyHeaders(full, res, head);
    if (head) {
      if (!full.headers().has("Content-Length")) {
        // a HEAD answer announces the length the GET body would have
        res.getHeaders().put(HttpHeader.CONTENT_LENGTH, full.body().length);
      }
      res.write(true, BufferUtil.EMPTY_BUFFER, callback);
      return;
    }
    res.getHeaders().put(HttpHeader.CONTENT_LENGTH, full.body().length);
    res.write(true, ByteBuffer.wrap(full.body()), callback);
  }

  /**
   * Sends status and headers, then lets the body write; every write is flushed so each SSE event
   * reaches the client at once. Returns when the body returns or the client has gone away.
   */
  private static void sendStreaming(
      HttpRequest request, Request req, HttpResponse.Streaming streaming, Response res, Callback callback) {
    copyHeaders(streaming, res, false);
    // the connection is watched for the client's close while the body runs (below), which a
    // following request on it would trip over: a streamed answer is the connection's last
    res.getHeaders().put(HttpHeader.CONNECTION, "close");
    OutputStream out = Content.Sink.asOutputStream(res);
    var connection = req.getConnectionMetaData().getConnection();
    var gone = new ClientGone(connection.getEndPoint());
    req.addFailureListener(failure -> gone.fire());
    connection.addEventListener(gone);
    gone.watch();
    HttpResponse.EventSink sink =
        new HttpResponse.EventSink() {
          @Override
          public void write(byte[] chunk) throws IOException {
            try {
              // Jetty's sink stream does not buffer: a write returns once its bytes are sent, so a
              // flush would only be a second, empty pass through the connection per event
              out.write(chunk);
            } catch (IOException e) {
              gone.fire();
              throw e;
            }
          }

          @Override
          public void onClientGone(Runnable action) {
            gone.then(action);
          }

          @Override
          public boolean canWriteAsync() {
            return true;
          }

          @Override
          public void writeAsync(byte[] chunk, java.util.function.Consumer<Throwable> done) {
            // the same response as the stream above: the body keeps one write at a time
            res.write(
                false,
                ByteBuffer.wrap(chunk),
                // done only takes a lock briefly: run it where the write ends
                Callback.from(
                    org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING,
                    () -> done.accept(null),
                    failure -> {
                      gone.fire();
                      done.accept(failure);
                    }));
          }
        };
    try {
      streaming.body().writeTo(sink);
      out.close();
      callback.succeeded();
    } catch (IOException e) {
      log.debug("stream to client ended early: {} {}", request.method(), request.path(), e);
      callback.failed(e);
    } catch (RuntimeException e) {
      log.error("streamed body failed: {} {}", request.method(), request.path(), e);
      callback.failed(e);
    } finally {
      gone.stopWatching();
      connection.removeEventListener(gone);
    }
  }

  /**
   * Tells a streamed body that its client has gone. Jetty reads nothing while a handler runs, so
   * a client's close would only show at the next write: this asks the endpoint to report when the
   * connection becomes readable, and a read then finds the end of input (or a failure). Jetty's
   * own signals (request failure, connection closed) count too, whichever comes first.
   */
  private static final class ClientGone implements org.eclipse.jetty.io.Connection.Listener, Callback {
    private static final int PROBE_BYTES = 512;
    private final EndPoint endPoint;
    private final CompletableFuture<Void> gone = new CompletableFuture<>();
    private volatile boolean watching = true;

    ClientGone(EndPoint endPoint) {
      this.endPoint = endPoint;
    }

    void watch() {
      if (watching && !gone.isDone() && !endPoint.tryFillInterested(this)) {
        // someone else reads this connection already; its failure or close still tells us
        watching = false;
      }
    }

    void stopWatching() {
      watching = false;
    }

    void fire() {
      gone.complete(null);
    }

    void then(Runnable action) {
      gone.thenRun(action);
    }

    @Override
    public void succeeded() {
      try {
        // a client sends nothing after a streamed request's head; bytes now are dropped (the
        // connection closes after this answer), the end of input means the client left
        int n = endPoint.fill(BufferUtil.allocate(PROBE_BYTES));
        if (n < 0) {
          fire();
          return;
        }
      } catch (IOException e) {
        fire();
        return;
      }
      watch();
    }

    @Override
    public void failed(Throwable x) {
      fire();
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }

    @Override
    public void onClosed(org.eclipse.jetty.io.Connection connection) {
      fire();
    }
  }

  /** A request whose body cannot be used; answered without routing. */
  private static final class BodyRejected extends Exception {
    final int status;

    BodyRejected(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
