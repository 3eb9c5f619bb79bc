package io.tributary.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP to one of the configured servers: adds the credential, repeats what may be repeated, moves
 * to the next server when one cannot be reached, and turns refusals into typed exceptions.
 */
final class Transport {
  static final JsonMapper JSON = JsonMapper.shared();

  /** Whether a request may be sent again after an answer was possibly lost. */
  enum Repeat {
    /** Safe to send twice (reads, renewals, appends with an idempotency key). */
    ALWAYS,
    /** Only retried when it certainly did not reach the server, or the server refused it. */
    UNSENT_ONLY
  }

  /** One request: a path relative to the server root, plus what goes with it. */
  record Call(String method, String path, byte[] body, Map<String, String> headers, Duration timeout) {
    static Call get(String path) {
      return new Call("GET", path, null, Map.of(), null);
    }

    static Call post(String path, byte[] body, Map<String, String> headers) {
      return new Call("POST", path, body, headers, null);
    }
  }

  private final HttpClient http;
  private final List<URI> servers;
  private final AtomicInteger current = new AtomicInteger();
  private final String token;
  private final RetryPolicy retry;
  private final Duration requestTimeout;
  private final PlainHttp1 plain;

  Transport(HttpClient http, List<URI> servers, String token, RetryPolicy retry, Duration requestTimeout) {
    this.http = http;
    this.plain = new PlainHttp1(http.connectTimeout().orElse(Duration.ofSeconds(5)));
    this.servers = List.copyOf(servers);
    this.token = token;
    this.retry = retry;
    this.requestTimeout = requestTimeout;
  }

  HttpClient http() {
    return http;
  }

  RetryPolicy retry() {
    return retry;
  }

  /** The longest wait for one answer (for a streamed answer: for its head). */
  Duration requestTimeout() {
    return requestTimeout;
  }

  /** The server requests go to now. */
  URI server() {
    return servers.get(Math.floorMod(current.get(), servers.size()));
  }

  /** Moves on to the next configured server (after {@code failed} could not be reached). */
  void rotateFrom(URI failed) {
    int now = current.get();
    if (servers.get(Math.floorMod(now, servers.size())).equals(failed)) {
      current.compareAndSet(now, now + 1);
    }
  }

  /** A request to the current server, with the credential and no body handling. */
  HttpRequest.Builder request(URI server, Call call, Duration timeout) {
    String base = server.toString();
    // concatenated, not resolved, so a base URL with a path prefix (behind a proxy) keeps it
    var builder =
        HttpRequest.newBuilder(
            URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + call.path()));
    if (timeout != null) {
      builder.timeout(timeout);
    }
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    call.headers().forEach(builder::header);
    var body =
        call.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(call.body());
    return builder.method(call.method(), body);
  }

  /** Sends {@code call}, retrying as {@code repeat} allows; completes with a 2xx/3xx answer. */
  CompletableFuture<HttpResponse<byte[]>> send(Call call, Repeat repeat) {
    return attempt(call, repeat, 1, false, false);
  }

  /**
   * {@link #send}, over {@link PlainHttp1} where the server's URL allows: for a producer's
   * requests, which are idempotent (a kept-alive connection found closed is retried at once).
   * With {@code onThisThread} the first try runs on the caller's thread (it waits for the answer
   * anyway), so the returned future is complete unless a retry is needed.
   */
  CompletableFuture<HttpResponse<byte[]>> sendDirect(Call call, Repeat repeat, boolean onThisThread) {
    return attempt(call, repeat, 1, true, onThisThread);
  }

  /** Closes the kept-alive connections of {@link #sendDirect}. */
  void closeConnections() {
    plain.close();
  }

  /** {@link #send} and wait; exceptions come out unwrapped. */
  HttpResponse<byte[]> sendAndWait(Call call, Repeat repeat) {
    return await(send(call, repeat));
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new UnavailableException(0, "interrupted", "interrupted while waiting for the server", false);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  static RuntimeException unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof RuntimeException r ? r : new CompletionException(t);
  }

  private CompletableFuture<HttpResponse<byte[]>> attempt(
      Call call, Repeat repeat, int n, boolean direct, boolean onThisThread) {
    URI server = server();
    var timeout = call.timeout() != null ? call.timeout() : requestTimeout;
    var request = request(server, call, timeout).build();
    var answer =
        direct && PlainHttp1.handles(request.uri())
            ? plainExchange(request, call.body(), timeout, onThisThread)
            : exchange(request);
    return answer
        .handle(
            (response, failure) -> {
              if (failure != null) {
                var cause = unwrapIo(failure);
                boolean unsent = cause instanceof ConnectException;
                rotateFrom(server);
                if ((unsent || repeat == Repeat.ALWAYS) && n < retry.maxAttempts()) {
                  return later(retry.delayAfter(n), () -> attempt(call, repeat, n + 1, direct, false));
                }
                return CompletableFuture.<HttpResponse<byte[]>>failedFuture(
                    new UnavailableException(
                        0, "unreachable", "no answer from " + server + ": " + cause, true));
              }
              if (response.statusCode() < 400) {
                return CompletableFuture.completedFuture(response);
              }
              var error = error(response.statusCode(), response.headers(), response.body());
              if (error.retryable() && n < retry.maxAttempts()) {
                if (response.statusCode() == 503) {
                  rotateFrom(server);
                }
                var delay = retryAfter(response.headers()).orElse(retry.delayAfter(n));
                return later(delay, () -> attempt(call, repeat, n + 1, direct, false));
              }
              return CompletableFuture.<HttpResponse<byte[]>>failedFuture(error);
            })
        .thenCompose(f -> f);
  }

  /**
   * One request and its answer, completed on a thread of the client's own. Not {@code
   * HttpClient.sendAsync}: that completes on the common fork-join pool, which an application (or
   * its followers) may have filled with blocked tasks, and then every call would stall.
   */
  CompletableFuture<HttpResponse<byte[]>> exchange(HttpRequest request) {
    var future = new CompletableFuture<HttpResponse<byte[]>>();
    var task =
        IO.submit(
            () -> {
              try {
                future.complete(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
              } catch (InterruptedException e) {
                future.cancel(false);
              } catch (Throwable t) {
                future.completeExceptionally(t);
              }
            });
    // cancelling the answer (a closed follower) interrupts the request, which aborts it
    future.whenComplete((r, t) -> {
      if (future.isCancelled()) {
        task.cancel(true);
      }
    });
    return future;
  }

  private CompletableFuture<HttpResponse<byte[]>> plainExchange(
      HttpRequest request, byte[] body, Duration timeout, boolean onThisThread) {
    var future = new CompletableFuture<HttpResponse<byte[]>>();
    Runnable exchange =
        () -> {
          try {
            future.complete(plain.send(request, body, timeout));
          } catch (Throwable t) {
            future.completeExceptionally(t);
          }
        };
    if (onThisThread) {
      exchange.run();
    } else {
      IO.execute(exchange);
    }
    return future;
  }

  private static Throwable unwrapIo(Throwable t) {
    while ((t instanceof CompletionException || !(t instanceof IOException)) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private <T> CompletableFuture<T> later(
      Duration delay, java.util.function.Supplier<CompletableFuture<T>> next) {
    // never the common pool: an application may have filled it with blocked followers
    var executor = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, IO);
    return CompletableFuture.supplyAsync(next, executor).thenCompose(f -> f);
  }

  /** Threads that wait for answers (one per request in flight) and start resends. */
  private static final java.util.concurrent.ExecutorService IO =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            var t = new Thread(r, "tributary-http-client");
            t.setDaemon(true);
            return t;
          });

  static java.util.Optional<Duration> retryAfter(HttpHeaders headers) {
    return headers
        .firstValue("Retry-After")
        .flatMap(
            v -> {
              try {
                return java.util.Optional.of(Duration.ofSeconds(Math.min(Long.parseLong(v.trim()), 30)));
              } catch (NumberFormatException e) {
                return java.util.Optional.empty();
              }
            });
  }

  /**
   * The typed exception for a refusal. Reads both envelopes: REST {@code
   * {"error","kind","retryable"}} and Durable Streams {@code {"error":{"code","message"}}}.
   */
  static TributaryClientException error(int status, HttpHeaders headers, byte[] body) {
    String kind = null;
    String message = null;
    Boolean retryable = null;
    try {
      JsonNode node = body == null || body.length == 0 ? null : JSON.readTree(body);
      if (node != null && node.isObject()) {
        var error = node.get("error");
        if (error != null && error.isObject()) {
          kind = text(error.get("code"));
          message = text(error.get("message"));
        } else {
          message = text(error);
          kind = text(node.get("kind"));
          var r = node.get("retryable");
          retryable = r != null && r.isBoolean() ? r.booleanValue() : null;
        }
      }
    } catch (JacksonException notJson) {
      message = new String(body, StandardCharsets.UTF_8);
    }
    if (message == null || message.isEmpty()) {
      message = "HTTP " + status;
    }
    boolean closedHeader = headers.firstValue("Stream-Closed").map("true"::equalsIgnoreCase).orElse(false);
    if (kind == null) {
      kind = status == 409 && closedHeader ? "stream_closed" : "http_" + status;
    }
    boolean again = retryable != null ? retryable : status == 429 || status == 502 || status == 503 || status == 504;
    message = message + " (HTTP " + status + " " + kind + ")";
    switch (status) {
      case 400, 413, 414, 431:
        return new BadRequestException(status, kind, message, false);
      case 401:
        return new AccessDeniedException(status, kind, message, false);
      case 403:
        if (headers.firstValue("Producer-Epoch").isPresent()) {
          return new ConflictException(status, kind, message, false);
        }
        return new AccessDeniedException(status, kind, message, false);
      case 404, 410:
        return new NotFoundException(status, kind, message, false);
      case 409:
        if (kind.equals("stale_owner_cannot_append")) {
          return new LeaseLostException(status, kind, message, false);
        }
        if (kind.equals("stream_closed") || closedHeader) {
          return new StreamClosedException(status, kind, message, false);
        }
        long expected =
            headers.firstValue("Producer-Expected-Seq").map(Transport::parseSeq).orElse(-1L);
        return new ConflictException(status, kind, message, false, expected);
      case 429, 503:
        return new UnavailableException(status, kind, message, true);
      default:
        return new TributaryClientException(status, kind, message, again);
    }
  }

  private static long parseSeq(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String text(JsonNode node) {
    return node != null && node.isString() ? node.stringValue() : null;
  }
}
