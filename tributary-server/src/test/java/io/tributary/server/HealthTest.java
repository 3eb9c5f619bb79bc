package io.tributary.server;

import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.testing.EmbeddedPostgres;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code /health} reports the database and the LISTEN session, not just the process. */
class HealthTest {
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
              });
    } finally {
      server.close();
    }
  }
}
