package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testing.EmbeddedPostgres;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The test fixture's PostgreSQL runs with the durability settings production runs with. */
class FixtureDurabilityTest {
  @ParameterizedTest
  @CsvSource({"fsync, on", "full_page_writes, on", "synchronous_commit, on"})
  void settingIsAsInProduction(String name, String expected) throws SQLException {
    try (var c = EmbeddedPostgres.adminDataSource().getConnection();
        var ps = c.prepareStatement("SELECT setting FROM pg_settings WHERE name = ?")) {
      ps.setString(1, name);
      try (var rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(expected);
      }
    }
  }
}
