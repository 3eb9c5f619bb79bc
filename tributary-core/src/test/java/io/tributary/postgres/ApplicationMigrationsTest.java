package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.StreamCursor;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Tributary embedded in an application that has its own Flyway migrations on the classpath
 * ({@code db/migration/V1__application.sql} in this module's test resources): each Flyway applies
 * only its own scripts and keeps its own history table, in either order, and Tributary can live
 * in a schema of its own.
 */
class ApplicationMigrationsTest {
  @Test
  void tributaryAndTheApplicationEachMigrateOnlyTheirOwnScripts() throws Exception {
    String url = EmbeddedPostgres.createDatabase("app_migrations");
    try (var db = Database.open(StoreConfig.builder(url).user("postgres").build())) {
      assertThat(db.config().schema()).isEqualTo(StoreConfig.DEFAULT_SCHEMA);
    }
    assertThat(tableExists(url, "public", "app_widget")).as("Tributary ran the application's script").isFalse();
    // the application's Flyway in a schema Tributary already uses needs a baseline (README)
    var app = Flyway.configure().dataSource(url, "postgres", null)
        .baselineOnMigrate(true).baselineVersion("0").load().migrate();
    assertThat(app.migrationsExecuted).isEqualTo(1);
    assertThat(tableExists(url, "public", "app_widget")).isTrue();
    assertThat(tableExists(url, "public", "flyway_schema_history")).isTrue();
    assertThat(tableExists(url, "public", SchemaMigration.HISTORY_TABLE)).isTrue();
    // and Tributary opening again after the application's migration finds nothing to do
    try (var db = Database.open(StoreConfig.builder(url).user("postgres").build())) {
      assertThat(db.config().schema()).isEqualTo("public");
    }
  }

  @Test
  void theApplicationMigratingFirstDoesNotStopTributary() throws Exception {
    String url = EmbeddedPostgres.createDatabase("app_migrations_first");
    Flyway.configure().dataSource(url, "postgres", null).load().migrate();
    try (var store = new PostgresStreamStore(Database.open(StoreConfig.builder(url).user("postgres").build()))) {
      var handle = store.startAttempt(ExecutionId.random(0), Duration.ofSeconds(30));
      store.append(handle, Frame.of("log", "hello"));
      assertThat(store.read(handle.executionId(), 0, StreamCursor.parse("start"), StreamCursor.parse("end"), 10).frames())
          .hasSize(1);
    }
  }

  @Test
  void aSchemaOfItsOwnHoldsEveryTableAndWorks() throws Exception {
    String url = EmbeddedPostgres.createDatabase("own_schema");
    var config = StoreConfig.builder(url).user("postgres").schema("streams").build();
    try (var store = new PostgresStreamStore(Database.open(config))) {
      var handle = store.startAttempt(ExecutionId.random(0), Duration.ofSeconds(30));
      store.append(handle, Frame.of("log", "in its own schema"));
      assertThat(store.read(handle.executionId(), 0, StreamCursor.parse("start"), StreamCursor.parse("end"), 10).frames())
          .hasSize(1);
    }
    assertThat(tableExists(url, "streams", "tb_frame")).isTrue();
    assertThat(tableExists(url, "streams", SchemaMigration.HISTORY_TABLE)).isTrue();
    assertThat(tableExists(url, "public", "tb_frame")).isFalse();
  }

  private static boolean tableExists(String url, String schema, String table) throws SQLException {
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var ps = c.prepareStatement("SELECT to_regclass(? || '.' || ?) IS NOT NULL")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
