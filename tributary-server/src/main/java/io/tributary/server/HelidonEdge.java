package io.tributary.server;

import io.helidon.webserver.WebServer;
import java.time.Duration;

/** Helidon SE 4 in front of the router; kept only to measure it against {@link JettyEdge}. */
final class HelidonEdge implements HttpEdge {
  private final WebServer web;

  private HelidonEdge(WebServer web) {
    this.web = web;
  }

  static HelidonEdge start(HttpRouter router, ServerConfig config) {
    var web =
        WebServer.builder()
            .host(config.bindAddress())
            .port(config.port())
            .maxPayloadSize(config.maxBodyBytes())
            .shutdownHook(false)
            .directHandlers(JsonDirectHandler.all())
            .routing(routing -> routing.any(new HelidonAdapter(router)))
            .build()
            .start();
    if (web.port() < 0) {
      web.stop();
      throw new PortInUseException(config.bindAddress(), config.port(), null);
    }
    return new HelidonEdge(web);
  }

  @Override
  public int port() {
    return web.port();
  }

  @Override
  public void stop(Duration drain) {
    if (web.isRunning()) {
      web.stop();
    }
  }
}
