package io.tributary.server;

import java.time.Duration;

/**
 * The web server in front of the {@link HttpRouter}: accepts connections, parses HTTP, hands each
 * request to the router and writes its answer. The only place a web framework is used.
 */
interface HttpEdge {
  /** The port actually bound. */
  int port();

  /** Stops accepting connections; requests already running may finish within {@code drain}. */
  void stop(Duration drain);
}
