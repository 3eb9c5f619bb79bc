package io.tributary.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Durable Streams URL live from an offset, batch by batch, over SSE or long-poll. When a
 * response ends (the server's SSE lifetime, a restart, a lost connection) it reopens from the
 * last offset it handed out, on the next server when this one cannot be reached.
 *
 * <p>Nothing is lost or repeated: an SSE {@code data} event is handed out only together with the
 * {@code control} event that follows it, whose offset is where the next read resumes; data whose
 * control event never arrived is read again from the previous offset.
 */
final class LiveReader implements AutoCloseable {
  /** How long each wait for a line lasts before checking whether the reader was closed. */
  private static final long POLL_MS = 200;
  private static final Object END = new Object();

  /**
   * One batch.
   *
   * @param parts the data of each data event (or the long-poll body), already base64-decoded
   * @param nextOffset where the stream continues after this batch
   * @param closed whether the batch reaches the end of a closed stream
   */
  record Batch(List<byte[]> parts, String nextOffset, boolean closed) {}

  private final Transport transport;
  private final String path;
  private final LiveMode mode;
  private final Duration giveUpAfter;
  private final Duration longPollTimeout;
  private volatile boolean closed;
  private volatile Connection connection;
  private volatile CompletableFuture<?> pending;
  private String offset;
  private long failingSinceNanos = -1;
  private int failures;
  private boolean ended;

  LiveReader(
      Transport transport, String path, String offset, LiveMode mode, Duration giveUpAfter,
      Duration longPollTimeout) {
    this.transport = transport;
    this.path = path;
    this.offset = offset;
    this.mode = mode;
    this.giveUpAfter = giveUpAfter;
    this.longPollTimeout = longPollTimeout;
  }

  /** The offset the next batch starts at. */
  String offset() {
    return offset;
  }

  /**
   * The next batch, waiting for one as long as it takes; null once the reader was closed or
   * handed out the batch that ended a closed stream.
   *
   * @throws TributaryClientException when the server refuses the read (e.g. 404), or stayed
   *     unreachable for longer than the give-up time
   */
  Batch next() {
    while (!closed && !ended) {
      var batch = mode == LiveMode.SSE ? nextSse() : nextLongPoll();
      if (batch != null) {
        offset = batch.nextOffset();
        ended = batch.closed();
        return batch;
      }
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    var c = connection;
    if (c != null) {
      c.cancel();
    }
    var p = pending;
    if (p != null) {
      p.cancel(true);
    }
  }

  private String target(String live) {
    return path + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8) + "&live=" + live;
  }

  // ---------------------------------------------------------------- long-poll

  private Batch nextLongPoll() {
    URI server = transport.server();
    var call = new Transport.Call("GET", target("long-poll"), null, java.util.Map.of(), longPollTimeout);
    var future = transport.exchange(transport.request(server, call, longPollTimeout).build());
    pending = future;
    HttpResponse<byte[]> response;
    try {
      response = waitFor(future);
    } catch (ExecutionException e) {
      transport.rotateFrom(server);
      failed(e.getCause());
      return null;
    }
    if (response == null) {
      return null;
    }
    int status = response.statusCode();
    if (status == 200 || status == 204) {
      succeeded();
      var headers = response.headers();
      String next = headers.firstValue("Stream-Next-Offset").orElse(offset);
      boolean isClosed = headers.firstValue("Stream-Closed").map("true"::equalsIgnoreCase).orElse(false);
      List<byte[]> parts = status == 200 && response.body().length > 0 ? List.of(response.body()) : List.of();
      return new Batch(parts, next, isClosed);
    }
    refused(status, response.headers(), response.body(), server);
    return null;
  }

  private <T> T waitFor(CompletableFuture<T> future) throws ExecutionException {
    while (!closed) {
      try {
        return future.get(POLL_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // look at the closed flag again
      } catch (java.util.concurrent.CancellationException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        return null;
      }
    }
    future.cancel(true);
    return null;
  }

  // ---------------------------------------------------------------- SSE

  private Batch nextSse() {
    var c = connection;
    if (c == null) {
      c = openSse();
      if (c == null) {
        return null;
      }
    }
    Object item;
    try {
      item = c.lines.poll(POLL_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      return null;
    }
    if (item == null) {
      return null;
    }
    if (item == END || item instanceof Throwable) {
      // the response ended without closing the stream: reopen from the last offset
      connection = null;
      if (item instanceof Throwable t) {
        transport.rotateFrom(c.server);
        failed(t);
      } else if (!c.sawControl) {
        failed(new java.io.IOException("SSE response ended before any event"));
      }
      return null;
    }
    c.subscription.request(1);
    return c.line((String) item);
  }

  private Connection openSse() {
    URI server = transport.server();
    var c = new Connection(server);
    var call = Transport.Call.get(target("sse"));
    // the JDK client's timeout ends with the response head, so the stream itself is not cut: a
    // server that took the connection and never answers (it was stopping) is left for the next
    var request =
        transport.request(server, call, transport.requestTimeout()).header("Accept", "text/event-stream").build();
    HttpResponse.BodyHandler<byte[]> handler =
        info -> {
          c.status = info.statusCode();
          c.headers = info.headers();
          if (info.statusCode() != 200) {
            // the refusal's body comes through the queue, not the future (see Transport.exchange)
            return HttpResponse.BodySubscribers.mapping(
                HttpResponse.BodySubscribers.ofByteArray(),
                body -> {
                  c.lines.add(body);
                  return body;
                });
          }
          c.base64 =
              info.headers().firstValue("Stream-SSE-Data-Encoding").map("base64"::equalsIgnoreCase).orElse(false);
          return HttpResponse.BodySubscribers.fromLineSubscriber(
              c, s -> (byte[]) null, StandardCharsets.UTF_8, null);
        };
    var future = transport.http().sendAsync(request, handler);
    c.future = future;
    connection = c;
    if (closed) {
      c.cancel();
      return null;
    }
    // wait for the status line: a refusal has a body to read, a 200 streams lines
    while (c.status == 0 && !closed) {
      try {
        future.get(POLL_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // the headers may have come in; look again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        return null;
      } catch (ExecutionException | java.util.concurrent.CancellationException e) {
        if (c.status == 0) {
          connection = null;
          transport.rotateFrom(server);
          failed(e.getCause() != null ? e.getCause() : e);
          return null;
        }
      }
    }
    if (closed) {
      return null;
    }
    if (c.status != 200) {
      connection = null;
      Object body = null;
      while (body == null && !closed) {
        try {
          body = c.lines.poll(POLL_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          close();
        }
      }
      if (body instanceof byte[] bytes) {
        refused(c.status, c.headers, bytes, server);
      } else if (body instanceof Throwable t) {
        failed(t);
      }
      return null;
    }
    succeeded();
    return c;
  }

  /** One SSE response: its lines as they arrive, and the event being assembled. */
  private final class Connection implements Flow.Subscriber<String> {
    final URI server;
    final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    volatile int status;
    volatile HttpHeaders headers;
    volatile boolean base64;
    volatile Flow.Subscription subscription;
    volatile CompletableFuture<?> future;
    boolean sawControl;
    private String event = "message";
    private StringBuilder data;
    private final List<byte[]> parts = new ArrayList<>();

    Connection(URI server) {
      this.server = server;
    }

    void cancel() {
      var s = subscription;
      if (s != null) {
        s.cancel();
      }
      var f = future;
      if (f != null) {
        f.cancel(true);
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(256);
    }

    @Override
    public void onNext(String line) {
      lines.add(line);
    }

    @Override
    public void onError(Throwable t) {
      lines.add(t);
    }

    @Override
    public void onComplete() {
      lines.add(END);
    }

    /** Feeds one line; answers a batch when a control event completes one. */
    Batch line(String line) {
      if (line.isEmpty()) {
        return dispatch();
      }
      if (line.startsWith(":")) {
        return null;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("event")) {
        event = value;
      } else if (field.equals("data")) {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      return null;
    }

    private Batch dispatch() {
      String type = event;
      String text = data == null ? null : data.toString();
      event = "message";
      data = null;
      if (text == null) {
        return null;
      }
      if (type.equals("data")) {
        parts.add(base64 ? Base64.getMimeDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8));
        return null;
      }
      if (!type.equals("control")) {
        return null;
      }
      sawControl = true;
      JsonNode control = Transport.JSON.readTree(text);
      var next = control.get("streamNextOffset");
      boolean isClosed = control.has("streamClosed") && control.get("streamClosed").asBoolean();
      var batch = new Batch(List.copyOf(parts), next != null ? next.asString() : offset, isClosed);
      parts.clear();
      return batch;
    }
  }

  // ---------------------------------------------------------------- failures

  private void succeeded() {
    failingSinceNanos = -1;
    failures = 0;
  }

  /** A failure worth waiting out: back off, unless it has lasted too long. */
  private void failed(Throwable cause) {
    long now = System.nanoTime();
    if (failingSinceNanos < 0) {
      failingSinceNanos = now;
    }
    failures++;
    if (now - failingSinceNanos > giveUpAfter.toNanos()) {
      throw new UnavailableException(
          0, "unreachable",
          "gave up following " + path + " after " + giveUpAfter.toSeconds() + " s of failures: " + cause,
          true);
    }
    sleep(transport.retry().delayAfter(Math.min(failures, 8)).toMillis());
  }

  private void refused(int status, HttpHeaders headers, byte[] body, URI server) {
    var error = Transport.error(status, headers, body);
    if (!error.retryable()) {
      throw error;
    }
    if (status == 503) {
      transport.rotateFrom(server);
    }
    failed(error);
  }

  private void sleep(long millis) {
    long end = System.currentTimeMillis() + millis;
    while (!closed && System.currentTimeMillis() < end) {
      try {
        Thread.sleep(Math.min(50, Math.max(1, end - System.currentTimeMillis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
      }
    }
  }
}
