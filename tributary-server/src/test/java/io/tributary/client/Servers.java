package io.tributary.client;

import io.tributary.server.ServerConfig;
import io.tributary.server.TributaryServer;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** Real servers on loopback for the SDK tests, each database fresh unless one is given. */
final class Servers {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private Servers() {}

  static String newDatabase() {
    return EmbeddedPostgres.createDatabase("sdk_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
  }

  static TributaryServer start(String jdbcUrl, UnaryOperator<ServerConfig.Builder> tune) {
    var builder =
        ServerConfig.builder(jdbcUrl).dbUser("postgres").port(0).poolSize(4)
            .longPollTimeout(Duration.ofSeconds(1)).sweepInterval(Duration.ofMillis(200))
            .drainTimeout(Duration.ofSeconds(2));
    return TributaryServer.start(tune.apply(builder).build());
  }

  static TributaryServer start(String jdbcUrl) {
    return start(jdbcUrl, b -> b);
  }

  /** Stops {@code running} and starts a new server on its port and database, as a restart would. */
  static TributaryServer restart(TributaryServer running, String jdbcUrl) {
    int port = running.port();
    running.close();
    return start(jdbcUrl, b -> b.port(port));
  }

  static TributaryClient client(String... urls) {
    var builder = TributaryClient.builder(urls[0]);
    for (int i = 1; i < urls.length; i++) {
      builder.server(urls[i]);
    }
    // a follower whose reconnect meets a server in the middle of stopping (connection taken,
    // never answered) leaves it after the request timeout: well inside the tests' 30 s waits
    return builder.giveUpAfter(Duration.ofSeconds(30)).requestTimeout(Duration.ofSeconds(10)).build();
  }
}
