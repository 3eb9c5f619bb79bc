package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.testing.EmbeddedPostgres;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database probe: its answer is immediate, a lost probe connection alone is no outage, the
 * pool refuses at once while the probe reports the database down, and a LISTEN session that
 * lived through an outage is re-established when the database answers again.
 *
 * <p>The outage here is "PostgreSQL accepts no new sessions" ({@code ALLOW_CONNECTIONS false})
 * plus the probe's session ended: existing sessions, like the LISTEN one, survive it, as they
 * would a silently dropped network. Stopping PostgreSQL for real: tributary-server's OutageTest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DatabaseProbeTest {
  private static final String DB = "probe_outage";

  @Test
  void probeReportsOutagesAndRecoveryRefreshesTheListenSession() throws Exception {
    var url = EmbeddedPostgres.createDatabase(DB);
    try (var db = Database.open(StoreConfig.builder(url).user("postgres").poolSize(2).build())) {
      assertThat(db.isReachable()).isTrue();
      int listenerBefore = sessionPid(Notifier.APPLICATION_NAME);

      // the probe's own session dies, the database is fine: no DOWN, not even briefly
      terminate(DatabaseProbe.APPLICATION_NAME);
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
      while (System.nanoTime() < until) {
        assertThat(db.isReachable()).as("a killed probe session is not an outage").isTrue();
        Thread.sleep(10);
      }

      setAllowConnections(false);
      try {
        terminate(DatabaseProbe.APPLICATION_NAME);
        await().atMost(2, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> !db.isReachable());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> db.dataSource().getConnection().close())
            .isInstanceOf(SQLTransientConnectionException.class)
            .hasMessageContaining("unreachable");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("refused at once").isLessThanOrEqualTo(500);
        assertThat(db.isListening()).as("the LISTEN session lived through it").isTrue();
        assertThat(sessionPid(Notifier.APPLICATION_NAME)).isEqualTo(listenerBefore);
      } finally {
        setAllowConnections(true);
      }

      await().atMost(2, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(db::isReachable);
      try (var c = db.dataSource().getConnection()) {
        assertThat(c.isValid(1)).isTrue();
      }
      await()
          .atMost(5, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () -> {
                assertThat(db.isListening()).isTrue();
                assertThat(sessionPid(Notifier.APPLICATION_NAME)).isNotEqualTo(listenerBefore);
              });
    }
  }

  private static int sessionPid(String applicationName) throws SQLException {
    try (var c = EmbeddedPostgres.adminDataSource().getConnection();
        var ps =
            c.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = ? AND datname = ?")) {
      ps.setString(1, applicationName);
      ps.setString(2, DB);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : -1;
      }
    }
  }

  private static void terminate(String applicationName) throws SQLException {
    try (var c = EmbeddedPostgres.adminDataSource().getConnection();
        var ps =
            c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = ? AND datname = ?")) {
      ps.setString(1, applicationName);
      ps.setString(2, DB);
      ps.executeQuery().close();
    }
  }

  private static void setAllowConnections(boolean allow) throws SQLException {
    try (var c = EmbeddedPostgres.adminDataSource().getConnection();
        var st = c.createStatement()) {
      st.execute("ALTER DATABASE " + DB + " WITH ALLOW_CONNECTIONS " + allow);
    }
  }
}
