package io.tributary.server;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.protocol.ds.DurableStreamsHandler;
import io.tributary.protocol.rest.FlowFabricRestHandler;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything the server answers, without any web framework: auth, {@code /health}, {@code
 * /metrics}, then the FlowFabric REST API under {@code /v1/executions} and the Durable Streams
 * protocol under {@code /v1/stream/}. The Jetty adapter only converts requests and responses.
 *
 * <p>Auth applies to every route except {@code /health} and CORS preflights ({@code OPTIONS}),
 * which browsers send without credentials. The admin token opens every route; a read token from
 * {@code POST /v1/tokens} only the reads of its one stream (see {@link TokenAuth}). The {@value
 * HttpRequest#ACCESS_TOKEN_PARAM} query parameter is removed before a request reaches a handler.
 */
public final class HttpRouter {
  /** A protocol handler: request in, response out. */
  @FunctionalInterface
  public interface Handler {
    HttpResponse handle(HttpRequest request);
  }

  /** Where the admin mints read tokens. */
  static final String TOKENS_PATH = "/v1/tokens";

  private static final JsonMapper JSON = JsonMapper.shared();
  private static final String PUBLIC = "public";

  private final FlowFabricRestHandler rest;
  private final Handler durableStreams;
  private final TokenAuth auth;
  private final TokenMint mint;
  private final ServerMetrics metrics;

  private final Health health;

  HttpRouter(
      FlowFabricRestHandler rest,
      Handler durableStreams,
      TokenAuth auth,
      TokenMint mint,
      ServerMetrics metrics,
      Health health) {
    this.rest = rest;
    this.durableStreams = durableStreams;
    this.auth = auth;
    this.mint = mint;
    this.metrics = metrics;
    this.health = health;
  }

  /** What {@code /health} reports besides "the process answers". */
  interface Health {
    boolean databaseReachable();

    boolean listening();
  }

  /** Answers one request; never throws for bad input (protocol handlers map their errors). */
  public HttpResponse handle(HttpRequest request) {
    long started = System.nanoTime();
    String route = routeOf(request.path());
    var response = dispatch(route, request);
    metrics.record(route, request.method(), response.status(), System.nanoTime() - started);
    return response;
  }

  private HttpResponse dispatch(String route, HttpRequest request) {
    if (route.equals("health")) {
      boolean db = health.databaseReachable();
      boolean listening = health.listening();
      boolean up = db && listening;
      return json(
          up ? 200 : 503,
          "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"database\":\"" + (db ? "UP" : "DOWN")
              + "\",\"listener\":\"" + (listening ? "UP" : "DOWN") + "\"}");
    }
    if (!request.method().equals("OPTIONS")) {
      var refusal = refusal(route, request);
      if (refusal != null) {
        return refusal;
      }
    }
    request = request.withoutAccessToken();
    return switch (route) {
      case "metrics" -> metricsPage();
      case "tokens" -> mintToken(request);
      case "rest" -> rest.handle(request);
      case "durable_streams" -> cacheable(durableStreams.handle(request));
      default ->
          json(404, "{\"error\":\"no such route\",\"kind\":\"not_found\",\"retryable\":false}");
    };
  }

  /**
   * With auth on, a stream's content is for its credential holders only, so a cacheable read is
   * marked {@code private} (the protocol's advice for such streams): a browser may keep it, a
   * shared cache or CDN in front of the server must not hand it to someone else.
   */
  private HttpResponse cacheable(HttpResponse response) {
    String cc = response.headers().first("Cache-Control");
    if (auth.enabled() && cc != null && cc.startsWith(PUBLIC)) {
      response.headers().set("Cache-Control", "private" + cc.substring(PUBLIC.length()));
    }
    return response;
  }

  /** The 401 or 403 answer for a request its caller may not make, or null when it may. */
  private HttpResponse refusal(String route, HttpRequest request) {
    var denied =
        switch (auth.identify(request)) {
          case TokenAuth.Caller.Admin admin -> null;
          case TokenAuth.Caller.Unknown unknown -> {
            var e = error(401, unknown.reason(), "unauthorized");
            e.headers().set("WWW-Authenticate", "Bearer");
            yield e;
          }
          case TokenAuth.Caller.Reader reader ->
              TokenAuth.refusal(reader.token(), request)
                  .map(message -> error(403, message, "forbidden"))
                  .orElse(null);
        };
    if (denied != null && route.equals("durable_streams")) {
      // lets a browser page see why a cross-origin request was refused
      denied.headers().set("Access-Control-Allow-Origin", "*");
    }
    return denied;
  }

  private HttpResponse mintToken(HttpRequest request) {
    if (!request.method().equals("POST")) {
      var e = error(405, request.method() + " not allowed here; use POST", "method_not_allowed");
      e.headers().set("Allow", "POST");
      return e;
    }
    try {
      return HttpResponse.of(201, jsonHeaders(), JSON.writeValueAsString(mint.mint(request.body())));
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage(), "invalid_input");
    }
  }

  private static String routeOf(String path) {
    if (path.equals("/health")) {
      return "health";
    }
    if (path.equals(TOKENS_PATH)) {
      return "tokens";
    }
    if (path.equals("/metrics")) {
      return "metrics";
    }
    if (FlowFabricRestHandler.owns(path)) {
      return "rest";
    }
    if (DurableStreamsHandler.owns(path)) {
      return "durable_streams";
    }
    return "unmatched";
  }

  private HttpResponse metricsPage() {
    var headers = HttpHeaders.of("Content-Type", ServerMetrics.CONTENT_TYPE, "Cache-Control", "no-store");
    return new HttpResponse.Full(200, headers, metrics.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse json(int status, String body) {
    return HttpResponse.of(status, jsonHeaders(), body);
  }

  /** The REST error envelope {@code {"error","kind","retryable":false}}. */
  private static HttpResponse error(int status, String message, String kind) {
    var body = JSON.createObjectNode().put("error", message).put("kind", kind).put("retryable", false);
    return json(status, JSON.writeValueAsString(body));
  }

  private static HttpHeaders jsonHeaders() {
    return HttpHeaders.of(
        "Content-Type", "application/json",
        "Cache-Control", "no-store",
        "X-Content-Type-Options", "nosniff");
  }
}
