package io.tributary.server;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.protocol.ds.DurableStreamsHandler;
import io.tributary.protocol.rest.FlowFabricRestHandler;
import java.nio.charset.StandardCharsets;

/**
 * Everything the server answers, without any web framework: auth, {@code /livez}, {@code
 * /readyz}, {@code /health}, {@code /metrics}, then the FlowFabric REST API under {@code
 * /v1/executions} and the Durable Streams protocol under {@code /v1/stream/}. The Helidon adapter
 * only converts requests and responses.
 *
 * <p>Auth applies to every route except the probes ({@code /livez}, {@code /readyz}, {@code
 * /health}: orchestrators call them without credentials) and CORS preflights ({@code OPTIONS}),
 * which browsers send without credentials.
 */
public final class HttpRouter {
  /** A protocol handler: request in, response out. */
  @FunctionalInterface
  public interface Handler {
    HttpResponse handle(HttpRequest request);
  }

  private final FlowFabricRestHandler rest;
  private final Handler durableStreams;
  private final BearerAuth auth;
  private final ServerMetrics metrics;

  private final Health health;

  HttpRouter(
      FlowFabricRestHandler rest,
      Handler durableStreams,
      BearerAuth auth,
      ServerMetrics metrics,
      Health health) {
    this.rest = rest;
    this.durableStreams = durableStreams;
    this.auth = auth;
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
    String route = routeOf(request.path());
    var response = dispatch(route, request);
    metrics.record(route, request.method(), response.status(), System.nanoTime() - started);
    return response;
  }

  private HttpResponse dispatch(String route, HttpRequest request) {
    switch (route) {
      case "livez" -> {
        return json(200, "{\"status\":\"UP\"}");
      }
      case "readyz", "health" -> {
        return readiness();
      }
      default -> {}
    }
    if (!request.method().equals("OPTIONS") && !auth.allows(request)) {
      var denied =
          json(401, "{\"error\":\"missing or invalid Authorization header\",\"kind\":\"unauthorized\",\"retryable\":false}");
      denied.headers().set("WWW-Authenticate", "Bearer");
      return denied;
    }
    return switch (route) {
      case "metrics" -> metricsPage();
      case "rest" -> rest.handle(request);
      case "durable_streams" -> durableStreams.handle(request);
      default ->
          json(404, "{\"error\":\"no such route\",\"kind\":\"not_found\",\"retryable\":false}");
    };
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
    return json(
        up ? 200 : 503,
        "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"database\":\"" + (db ? "UP" : "DOWN")
            + "\",\"listener\":\"" + (listening ? "UP" : "DOWN") + "\"}");
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
    var headers =
        HttpHeaders.of(
            "Content-Type", "application/json",
            "Cache-Control", "no-store",
            "X-Content-Type-Options", "nosniff");
    return HttpResponse.of(status, headers, body);
  }
}
