package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.testing.EmbeddedPostgres;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A database user that may log in but not create the schema gets, at once, a message that names
 * the missing privilege, the schema and the database, and the statement that grants it.
 */
class DatabasePermissionTest {
  private static final String ROLE = "tb_no_rights";
  private static final String DATABASE = "no_rights";
  private static final Duration FAIL_FAST = Duration.ofSeconds(5);
  private static String url;

  @BeforeAll
  static void roleWithoutRights() throws SQLException {
    EmbeddedPostgres.createDatabase(DATABASE);
    // PostgreSQL 15+: only the database owner may create in schema public
    try (var c = EmbeddedPostgres.adminDataSource().getConnection(); var st = c.createStatement()) {
      st.execute("DROP ROLE IF EXISTS " + ROLE);
      st.execute("CREATE ROLE " + ROLE + " LOGIN");
    }
    url = "jdbc:postgresql://localhost:" + EmbeddedPostgres.shared().getPort() + "/" + DATABASE;
  }

  @Test
  void onceTheOwnerHasMigratedAUserWithoutCreateOpensTheStore() throws SQLException {
    String migrated = "migrated_by_owner";
    String ownerUrl = EmbeddedPostgres.createDatabase(migrated);
    Database.open(StoreConfig.builder(ownerUrl).user("postgres").build()).close();
    try (var c = java.sql.DriverManager.getConnection(ownerUrl); var st = c.createStatement()) {
      st.execute("GRANT USAGE ON SCHEMA public TO " + ROLE);
      st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + ROLE);
      st.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + ROLE);
    }
    String url = "jdbc:postgresql://localhost:" + EmbeddedPostgres.shared().getPort() + "/" + migrated;
    try (var db = Database.open(StoreConfig.builder(url).user(ROLE).build())) {
      try (var c = db.dataSource().getConnection();
          var rs = c.createStatement().executeQuery("SELECT count(*) FROM tb_stream")) {
        assertThat(rs.next()).isTrue();
      }
    }
  }

  @Test
  void aUserWithoutCreateOnTheSchemaIsToldWhatToGrant() {
    var config = StoreConfig.builder(url).user(ROLE).build();
    long started = System.nanoTime();
    assertThatThrownBy(() -> Database.open(config).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("database user \"" + ROLE + "\"")
        .hasMessageContaining("CREATE")
        .hasMessageContaining("schema \"public\"")
        .hasMessageContaining("database \"" + DATABASE + "\"")
        .hasMessageContaining("GRANT CREATE ON SCHEMA public TO " + ROLE);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAIL_FAST);
  }
}
