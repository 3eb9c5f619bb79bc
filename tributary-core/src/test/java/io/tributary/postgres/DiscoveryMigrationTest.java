package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.ExecutionInfo;
import io.tributary.api.ExecutionQuery;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.DriverManager;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** V8 on a database that already holds executions: the listing columns get their values. */
class DiscoveryMigrationTest {
  @Test
  void existingExecutionsAreListedWithTheirCurrentAttempt() throws Exception {
    var url = EmbeddedPostgres.createDatabase("discovery_migration");
    Flyway.configure().dataSource(url, "postgres", null).locations(SchemaMigration.LOCATION)
        .table(SchemaMigration.HISTORY_TABLE).target("5").load().migrate();
    var once = new ExecutionId(3, UUID.randomUUID());
    var twice = new ExecutionId(4, UUID.randomUUID());
    try (var c = DriverManager.getConnection(url, "postgres", null); var st = c.createStatement()) {
      st.execute("SELECT * FROM tb_start_attempt('" + once.uuid() + "', 3, 30000, false, 1000)");
      st.execute("SELECT * FROM tb_start_attempt('" + twice.uuid() + "', 4, 30000, false, 2000)");
      st.execute("SELECT * FROM tb_start_attempt('" + twice.uuid() + "', 4, 30000, true, 5000)");
      st.execute("UPDATE tb_stream SET closed_at_ms = 6000, closed_reason = 'attempt_success'"
          + " WHERE kind = 1 AND execution_id = '" + twice.uuid() + "' AND attempt_index = 1");
    }
    try (var db = Database.open(StoreConfig.builder(url).user("postgres").build())) {
      var directory = new PostgresStreamDirectory(db);
      var all = directory.executions(ExecutionQuery.all()).items();
      assertThat(all).extracting(ExecutionInfo::executionId).containsExactly(twice, once);
      assertThat(all.getFirst().createdAtMs()).isEqualTo(2000);
      assertThat(all.getFirst().attemptCount()).isEqualTo(2);
      assertThat(all.getFirst().currentAttempt().attemptIndex()).isEqualTo(1);
      assertThat(all.getFirst().currentAttempt().closeReason()).isEqualTo(CloseReason.ATTEMPT_SUCCESS);
      assertThat(all.get(1).createdAtMs()).isEqualTo(1000);
      assertThat(directory.executions(new ExecutionQuery(ExecutionQuery.State.OPEN, null, 10, null)).items())
          .extracting(ExecutionInfo::executionId).containsExactly(once);
      assertThat(directory.executions(new ExecutionQuery(null, CloseReason.RECLAIMED, 10, null)).items())
          .as("the reclaimed attempt is no longer current").isEmpty();
    }
  }
}
