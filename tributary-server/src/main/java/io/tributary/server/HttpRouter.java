package io.tributary.server;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.protocol.ds.DurableStreamsHandler;
import io.tributary.protocol.ds.subscription.SubscriptionRoutes;
import io.tributary.protocol.rest.DiscoveryHandler;
import io.tributary.protocol.rest.FlowFabricRestHandler;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything the server answers, without any web framework: auth, {@code /livez}, {@code /readyz},
 * {@code /health}, {@code /metrics}, the web console under {@code /ui/}, then the FlowFabric REST API under
 * {@code /v1/executions}, discovery ({@link DiscoveryHandler}: {@code GET /v1/executions[/{id}[/attempts]]},
 * {@code /v1/streams}) and the Durable Streams
 * protocol under {@code /v1/stream/}. The Jetty adapter only converts requests and responses.
 *
 * <p>Auth applies to every route except the probes ({@code /livez}, {@code /readyz}, {@code
 * /health}: orchestrators call them without credentials), the console's static files (they hold no
 * data; the page asks for a token itself) and CORS preflights ({@code OPTIONS}),
 * which browsers send without credentials, and the subscription routes that check a wake's own
 * bearer token (callback, ack, release) or are public (the JWKS). The admin token opens every route; a read token from
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
  private final Handler discovery;
  private final TokenAuth auth;
  private final TokenMint mint;
  private final ServerMetrics metrics;

  private final Health health;
  private final ConsoleAssets console = new ConsoleAssets();

  HttpRouter(
      FlowFabricRestHandler rest,
      Handler durableStreams,
      Handler discovery,
      TokenAuth auth,
      TokenMint mint,
      ServerMetrics metrics,
      Health health) {
    this.rest = rest;
    this.durableStreams = durableStreams;
    this.discovery = discovery;
    this.auth = auth;
    this.mint = mint;
    this.metrics = metrics;
    this.health = health;
  }

  /**
   * What {@code /readyz} and {@code /health} report besides "the process answers". Both must
   * answer at once (they are read on every probe request).
   */
  interface Health {
    boolean databaseReachable();

    boolean listening();
  }

  /** Answers one request; never throws for bad input (protocol handlers map their errors). */
  public HttpResponse handle(HttpRequest request) {
    long started = System.nanoTime();
    String route = DiscoveryHandler.route(request.method(), request.path()) != null ? "discovery" : routeOf(request.path());
    var response = dispatch(route, request);
    metrics.record(route, request.method(), response.status(), System.nanoTime() - started);
    return response;
  }

  private HttpResponse dispatch(String route, HttpRequest request) {
    switch (route) {
      case "livez" -> {
        return ErrorEnvelope.json(200, JSON.createObjectNode().put("status", "UP"));
      }
      case "readyz", "health" -> {
        return readiness();
      }
      case "console" -> {
        // the page and its scripts hold no data; the page asks for a token before any read
        return console.answer(request);
      }
      default -> {}
    }
    // subscription callbacks, acks and releases carry the wake's own token; the JWKS is public
    if (!request.method().equals("OPTIONS") && !SubscriptionRoutes.selfAuthenticating(request.path())) {
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
      case "discovery" -> discovery.handle(request);
      case "durable_streams" -> cacheable(durableStreams.handle(request));
      default ->
          error(404, "no such route", "not_found");
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
      return ErrorEnvelope.json(201, mint.mint(request.body()));
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage(), "invalid_input");
    }
  }

  /**
   * Ready when the database answered its last probe and the LISTEN session is up; {@code /health}
   * gives the same answer (the process answering at all is its liveness part). Both are flags
   * kept current by background threads, so this answers at once, never waiting for the pool or
   * the network.
   */
  private HttpResponse readiness() {
    boolean db = health.databaseReachable();
    boolean listening = health.listening();
    boolean up = db && listening;
    return ErrorEnvelope.json(
        up ? 200 : 503,
        JSON.createObjectNode()
            .put("status", up ? "UP" : "DOWN")
            .put("database", db ? "UP" : "DOWN")
            .put("listener", listening ? "UP" : "DOWN"));
  }

  private static String routeOf(String path) {
    switch (path) {
      case "/health" -> {
        return "health";
      }
      case "/livez" -> {
        return "livez";
      }
      case "/readyz" -> {
        return "readyz";
      }
      default -> {}
    }
    if (path.equals(TOKENS_PATH)) {
      return "tokens";
    }
    if (path.equals("/metrics")) {
      return "metrics";
    }
    if (ConsoleAssets.owns(path)) {
      return "console";
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

  /** The REST error envelope {@code {"error","kind","retryable":false}}. */
  private static HttpResponse error(int status, String message, String kind) {
    return ErrorEnvelope.response(status, message, kind, false);
  }
}
