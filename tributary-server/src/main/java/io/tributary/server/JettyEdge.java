package io.tributary.server;

import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty 12 (core API, no servlets) serving the router: HTTP/1.0 and 1.1, each request on its own
 * virtual thread, TCP_NODELAY on accepted sockets, parser errors answered with the API's JSON
 * envelope. A failed {@code accept()} (e.g. out of file descriptors) is logged and retried after a
 * pause by Jetty's acceptor instead of closing the listener.
 */
final class JettyEdge implements HttpEdge {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JettyEdge.class);
  /** Requests' heads (request line plus headers) larger than this get 431. */
  static final int MAX_REQUEST_HEAD_BYTES = 16 * 1024;

  private final Server server;
  private final ServerConnector connector;

  private JettyEdge(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * Binds and starts serving.
   *
   * @throws PortInUseException when the port is taken
   */
  static JettyEdge start(HttpRouter router, ServerConfig config) {
    var threads = new QueuedThreadPool();
    threads.setName("tributary-http");
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    var server = new Server(threads);
    var http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    http.setRequestHeaderSize(MAX_REQUEST_HEAD_BYTES);
    http.setResponseHeaderSize(MAX_REQUEST_HEAD_BYTES);
    // Jetty's per-connection header cache matches values case-insensitively by default, so a
    // request could be handed the previous request's "Authorization: Bearer aBc" for "Bearer abc"
    http.setHeaderCacheCaseSensitive(true);
    // a subscription route names a stream in one segment (.../streams/manual%2Fb); handlers key
    // everything by the decoded path, where an encoded slash is a slash (as in the reference)
    http.setUriCompliance(
        UriCompliance.DEFAULT.with("tributary", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
    var connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(config.bindAddress());
    connector.setPort(config.port());
    connector.setAcceptedTcpNoDelay(true);
    // the longest legitimate silence on a connection is a parked long-poll or REST tail
    connector.setIdleTimeout(idleTimeout(config).toMillis());
    server.addConnector(connector);
    server.setErrorHandler(new JsonErrorHandler());
    // the graceful handler lets stop() wait for requests still running instead of cutting them
    server.setHandler(new GracefulHandler(new JettyAdapter(router, config.maxBodyBytes())));
    server.setStopAtShutdown(false);
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server);
      if (rootCause(e) instanceof BindException) {
        throw new PortInUseException(config.bindAddress(), config.port(), e);
      }
      throw e instanceof RuntimeException re ? re : new IllegalStateException("could not start the web server: " + e, e);
    }
    return new JettyEdge(server, connector);
  }

  static Duration idleTimeout(ServerConfig config) {
    var longest = config.longPollTimeout().plus(Duration.ofSeconds(30));
    return longest.compareTo(Duration.ofMinutes(2)) > 0 ? longest : Duration.ofMinutes(2);
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void stop(Duration drain) {
    server.setStopTimeout(Math.max(1, drain.toMillis()));
    try {
      server.stop();
    } catch (Exception e) {
      // Jetty has stopped anyway; what was still running past the drain time was cut off
      log.warn("web server stopped with requests still running after {} ms: {}", drain.toMillis(), e.toString());
    }
  }

  private static void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // starting failed already; that is the error worth reporting
    }
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      if (t instanceof BindException) {
        return t;
      }
      t = t.getCause();
    }
    return t;
  }
}
