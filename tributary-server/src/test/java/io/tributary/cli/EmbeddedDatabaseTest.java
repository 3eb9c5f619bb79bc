package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} without --db: a PostgreSQL whose data survives a restart. */
class EmbeddedDatabaseTest {
  @TempDir Path dir;

  @Test
  void dataSurvivesARestartAndTheDirectoryCannotBeShared() throws Exception {
    var data = dir.resolve("pg");
    try (var first = EmbeddedDatabase.start(data)) {
      try (var c = connect(first.url()); var st = c.createStatement()) {
        st.execute("CREATE TABLE kept (v text)");
        st.execute("INSERT INTO kept VALUES ('still here')");
      }
      assertThatThrownBy(() -> EmbeddedDatabase.start(data))
          .hasMessageContaining("in use by another running server");
    }
    try (var second = EmbeddedDatabase.start(data);
        var c = connect(second.url());
        var rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("still here");
    }
  }

  private static java.sql.Connection connect(DatabaseUrl url) throws Exception {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }
}
