package io.tributary.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that touches Helidon's request and response types: converts a Helidon request to
 * an {@link HttpRequest}, lets the {@link HttpRouter} answer, and writes the answer back. Each
 * request already runs on its own virtual thread, so a blocking tail or an SSE body simply runs
 * here until it is done.
 */
final class HelidonAdapter implements Handler {
  private static final Logger log = LoggerFactory.getLogger(HelidonAdapter.class);

  /** Framing headers belong to the server, which computes them from what it actually sends. */
  private static final Set<String> FRAMING_HEADERS =
      Set.of("content-length", "transfer-encoding", "connection");

  private final HttpRouter router;

  HelidonAdapter(HttpRouter router) {
    this.router = router;
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) throws Exception {
    var request = toRequest(req);
    HttpResponse response;
    try {
      response = router.handle(request);
    } catch (RuntimeException e) {
      log.error("unhandled failure answering {} {}", request.method(), request.path(), e);
      response =
          HttpResponse.of(
              500,
              HttpHeaders.of("Content-Type", "application/json", "X-Content-Type-Options", "nosniff"),
              "{\"error\":\"internal error\",\"kind\":\"internal\",\"retryable\":false}");
    }
    switch (response) {
      case HttpResponse.Full full -> sendFull(request, full, res);
      case HttpResponse.Streaming streaming -> sendStreaming(request, streaming, res);
    }
  }

  private static HttpRequest toRequest(ServerRequest req) throws IOException {
    var headers = new HttpHeaders();
    for (var header : req.headers()) {
      for (var value : header.allValues()) {
        headers.add(header.name(), value);
      }
    }
    // Reading past the size limit throws Helidon's RequestException, which it turns into a 413.
    byte[] body = req.content().hasEntity() ? req.content().inputStream().readAllBytes() : null;
    return new HttpRequest(
        req.prologue().method().text(), req.path().path(), req.query().rawValue(), headers, body);
  }

  private static void copyHeaders(HttpResponse response, ServerResponse res, boolean keepLength) {
    res.status(Status.create(response.status()));
    response
        .headers()
        .forEach(
            (name, value) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (FRAMING_HEADERS.contains(lower) && !(keepLength && lower.equals("content-length"))) {
                return;
              }
              res.headers().add(HeaderValues.create(HeaderNames.create(name), value));
            });
  }

  private static void sendFull(HttpRequest request, HttpResponse.Full full, ServerResponse res) {
    boolean head = request.method().equals("HEAD");
    copyHeaders(full, res, head);
    if (head && !full.headers().has("Content-Length")) {
      // a HEAD answer announces the length the GET body would have
      res.headers().set(HeaderNames.CONTENT_LENGTH, Long.toString(full.body().length));
    }
    if (head || full.body().length == 0) {
      res.send();
    } else {
      res.send(full.body());
    }
  }

  /**
   * Sends status and headers, then lets the body write; every write is flushed so each SSE event
   * reaches the client at once. Returns when the body returns or the client has gone away.
   */
  private static void sendStreaming(
      HttpRequest request, HttpResponse.Streaming streaming, ServerResponse res) {
    copyHeaders(streaming, res, false);
    OutputStream out = res.outputStream();
    HttpResponse.EventSink sink =
        chunk -> {
          try {
            out.write(chunk);
            out.flush();
          } catch (RuntimeException e) {
            // Helidon reports a closed connection as an unchecked exception; the body expects IOException
            throw new IOException("client went away", e);
          }
        };
    try {
      streaming.body().writeTo(sink);
    } catch (IOException e) {
      log.debug("stream to client ended early: {} {}", request.method(), request.path(), e);
    } catch (RuntimeException e) {
      log.error("streamed body failed: {} {}", request.method(), request.path(), e);
    } finally {
      try {
        out.close();
      } catch (IOException | RuntimeException e) {
        log.debug("closing a stream whose client is gone", e);
      }
    }
  }
}
