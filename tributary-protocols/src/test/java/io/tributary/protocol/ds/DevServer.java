package io.tributary.protocol.ds;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.testing.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * A throwaway loopback server for running the Durable Streams conformance suite against the
 * handler before (or beside) the real server: JDK {@code HttpServer}, one virtual thread per
 * request, embedded PostgreSQL.
 *
 * <pre>
 * java ... io.tributary.protocol.ds.DevServer [port=4437] [longPollMs=1000]
 * ../shared/conformance/run-conformance.sh http://127.0.0.1:4437
 * </pre>
 */
public final class DevServer {
  private DevServer() {}

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 4437;
    long longPollMs = args.length > 1 ? Long.parseLong(args[1]) : 1_000;
    var url = EmbeddedPostgres.createDatabase("ds_dev_server");
    var db = Database.open(StoreConfig.builder(url).user("postgres").build());
    var handler =
        new DurableStreamsHandler(
            new PostgresNamedStreamStore(db),
            new PostgresStreamStore(db),
            Duration.ofMillis(longPollMs));
    var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> serve(exchange, handler));
    server.start();
    System.out.println("durable streams dev server on http://127.0.0.1:" + port + " (long-poll " + longPollMs + " ms)");
  }

  private static void serve(HttpExchange exchange, DurableStreamsHandler handler) throws IOException {
    try (exchange) {
      var headers = new HttpHeaders();
      exchange.getRequestHeaders().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
      var request =
          new HttpRequest(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(),
              exchange.getRequestURI().getRawQuery(),
              headers,
              exchange.getRequestBody().readAllBytes());
      var response = handler.handle(request);
      response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      switch (response) {
        case HttpResponse.Full full -> {
          boolean noBody =
              full.body().length == 0 || request.method().equals("HEAD") || full.status() == 204 || full.status() == 304;
          exchange.sendResponseHeaders(full.status(), noBody ? -1 : full.body().length);
          if (!noBody) {
            exchange.getResponseBody().write(full.body());
          }
        }
        case HttpResponse.Streaming streaming -> {
          exchange.sendResponseHeaders(streaming.status(), 0);
          var out = exchange.getResponseBody();
          streaming.body().writeTo(chunk -> {
            out.write(chunk);
            out.flush();
          });
        }
      }
    }
  }
}
