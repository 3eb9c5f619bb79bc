package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Schema properties the issue asks for (§7.3 no redundant index; no per-stream COUNT). */
class SchemaTest {
  private static Database db;

  @BeforeAll
  static void open() {
    db = Database.open(StoreConfig.builder(EmbeddedPostgres.createDatabase("schema_check")).user("postgres").build());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private record Index(String name, String keys, String predicate, boolean primary) {}

  private static List<Index> indexes(Connection c, String table) throws SQLException {
    try (var ps = c.prepareStatement(
        "SELECT i.relname, x.indkey::text, coalesce(pg_get_expr(x.indpred, x.indrelid), ''), x.indisprimary"
            + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            + " WHERE t.relname = ?")) {
      ps.setString(1, table);
      var out = new ArrayList<Index>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Index(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
        }
      }
      return out;
    }
  }

  @Test
  @DisplayName("§7.3 no index on tb_frame repeats another's key columns and predicate (the seed duplicated its PK)")
  void noRedundantFrameIndex() throws SQLException {
    try (Connection c = db.dataSource().getConnection()) {
      var idx = indexes(c, "tb_frame");
      assertThat(idx).anySatisfy(i -> assertThat(i.primary()).isTrue());
      assertThat(idx.stream().map(i -> i.keys() + " WHERE " + i.predicate()).toList())
          .as("indexes %s", idx)
          .doesNotHaveDuplicates();
      var pk = idx.stream().filter(Index::primary).findFirst().orElseThrow();
      assertThat(idx.stream().filter(i -> !i.primary() && i.predicate().isEmpty()).map(Index::keys))
          .as("a second unconditional index with the primary key's leading columns")
          .noneMatch(k -> k.equals(pk.keys()));
    }
  }

  @Test
  @DisplayName("§1.3/§7.1 attempt streams are first-class rows with a lifetime frame counter")
  void streamRowsCarryCounters() throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'tb_stream'")) {
      var cols = new ArrayList<String>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          cols.add(rs.getString(1));
        }
      }
      assertThat(cols).contains("id", "frame_count", "closed_at_ms", "closed_reason", "last_pos");
    }
  }
}
