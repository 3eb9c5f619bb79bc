package io.tributary.server;

import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.testing.EmbeddedPostgres;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code /readyz} and {@code /health} report the database and the LISTEN session; {@code /livez}
 * only the process. Outages with a stopped PostgreSQL: {@link OutageTest}.
 */
class HealthTest {
  @Test
  void probesAnswerWithoutCredentials() throws Exception {
    var server =
        TestServers.start(TestServers.newDatabase("server_probes"), b -> b.authToken("s3cret"));
    try {
      var live = send(request(server, "/livez").build());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
      var ready = send(request(server, "/readyz").build());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body())
          .isEqualTo("{\"status\":\"UP\",\"database\":\"UP\",\"listener\":\"UP\"}");
      var health = send(request(server, "/health").build());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body())
          .isEqualTo(
              "{\"status\":\"UP\",\"database\":\"UP\",\"listener\":\"UP\"}");
      assertThat(send(request(server, "/metrics").build()).statusCode()).isEqualTo(401);
    } finally {
      server.close();
    }
  }

  @Test
  void healthTurnsDownWhenTheDatabaseGoesAway() throws Exception {
    var server = TestServers.start(TestServers.newDatabase("server_health"), b -> b);
    try {
      var up = send(request(server, "/health").build());
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).contains("\"database\":\"UP\"", "\"listener\":\"UP\"");

      try (var c = EmbeddedPostgres.adminDataSource().getConnection();
          var st = c.createStatement()) {
        st.execute("DROP DATABASE server_health WITH (FORCE)");
      }

      await()
          .atMost(20, TimeUnit.SECONDS)
          .untilAsserted(
              () -> {
                var down = send(request(server, "/health").build());
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).contains("\"status\":\"DOWN\"", "\"database\":\"DOWN\"");
                assertThat(send(request(server, "/readyz").build()).statusCode()).isEqualTo(503);
              });
      assertThat(send(request(server, "/livez").build()).statusCode()).isEqualTo(200);
    } finally {
      server.close();
    }
  }
}
