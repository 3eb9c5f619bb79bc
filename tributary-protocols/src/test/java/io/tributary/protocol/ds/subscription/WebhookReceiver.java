package io.tributary.protocol.ds.subscription;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A webhook receiver on 127.0.0.1 for tests: records every POST (body and signature header) and
 * answers what {@code answer} says for the n-th request (1-based): a status and a body.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One received delivery. */
  public record Delivery(String body, String signature) {}

  /** What to answer. */
  public record Answer(int status, String body) {}

  private final HttpServer server;
  private final List<Delivery> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger count = new AtomicInteger();

  public WebhookReceiver(IntFunction<Answer> answer) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(new Delivery(body, exchange.getRequestHeaders().getFirst("Webhook-Signature")));
          var a = answer.apply(count.incrementAndGet());
          var out = a.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
          if (out.length > 0) {
            exchange.getResponseBody().write(out);
          }
          exchange.close();
        });
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  public List<Delivery> received() {
    return received;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
