package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ExecutionQuery;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each discovery page is one index range scan that reads about a page of rows, however many
 * streams there are: EXPLAIN (ANALYZE) of every query shape, as custom and as generic plan (what
 * a server-side prepared statement uses), over 40 000 attempt streams and 20 000 named streams.
 * The plans are also written to {@code target/discovery-plans.txt} (quoted in docs/server.md).
 */
class DirectoryQueryPlanTest {
  private static final int EXECUTIONS = 40_000;
  private static final int NAMED = 20_000;
  private static final int LIMIT = 50;
  private static final long T0 = 1_700_000_000_000L;
  private static Database db;
  private static final List<String> report = new ArrayList<>();
  private static String retried;

  @BeforeAll
  static void populate() throws SQLException {
    db = Database.open(StoreConfig.builder(EmbeddedPostgres.createDatabase("directory_plans")).user("postgres").build());
    try (Connection c = db.dataSource().getConnection(); var st = c.createStatement()) {
      // a tenth open, the rest closed (a third of those failed); 1 in 8 with a second attempt
      st.execute("INSERT INTO tb_stream (kind, created_at_ms, execution_id, partition_key, attempt_index,"
          + " attempt_id, lease_id, lease_epoch, lease_ttl_ms, lease_expires_at_ms, closed_at_ms, closed_reason,"
          + " frame_count, last_pos)"
          + " SELECT 1, " + T0 + " + g, gen_random_uuid(), g % 7, 0, gen_random_uuid(), gen_random_uuid(), 1, 30000,"
          + T0 + " + g + 30000, CASE WHEN g % 10 = 0 THEN NULL ELSE " + T0 + " + g + 500 END,"
          + " CASE WHEN g % 10 = 0 THEN NULL WHEN g % 3 = 0 THEN 'attempt_failure' ELSE 'attempt_success' END,"
          + " 3, (" + T0 + " + g + 400) << 16"
          + " FROM generate_series(1, " + EXECUTIONS + ") g");
      st.execute("INSERT INTO tb_execution (execution_id, partition_key, next_attempt_index, lease_epoch, current_stream_id)"
          + " SELECT execution_id, partition_key, 1, 1, id FROM tb_stream WHERE kind = 1");
      st.execute("INSERT INTO tb_stream (kind, created_at_ms, execution_id, partition_key, attempt_index, attempt_id,"
          + " lease_id, lease_epoch, lease_ttl_ms, lease_expires_at_ms)"
          + " SELECT 1, created_at_ms + 1000, execution_id, partition_key, 1, gen_random_uuid(), gen_random_uuid(),"
          + " 2, 30000, created_at_ms + 31000 FROM tb_stream WHERE kind = 1 AND attempt_index = 0 AND partition_key = 3");
      st.execute("UPDATE tb_execution e SET current_stream_id = s.id, next_attempt_index = 2 FROM tb_stream s"
          + " WHERE s.kind = 1 AND s.attempt_index = 1 AND s.execution_id = e.execution_id"
          + " AND s.partition_key = e.partition_key");
      st.execute("INSERT INTO tb_stream (kind, created_at_ms, ds_path, ds_content_type, ds_media_type, ds_json)"
          + " SELECT 2, " + T0 + " + g, '/v1/stream/bulk/' || (g % 100) || '/' || g, 'text/plain', 'text/plain', false"
          + " FROM generate_series(1, " + NAMED + ") g");
      st.execute("INSERT INTO tb_summary (stream_id, document, version, first_applied_ms, last_updated_ms)"
          + " SELECT id, '{}'::jsonb, 1, created_at_ms, created_at_ms FROM tb_stream WHERE kind = 1 AND id % 4 = 0");
      try (var rs = st.executeQuery("SELECT execution_id FROM tb_execution WHERE partition_key = 3 LIMIT 1")) {
        rs.next();
        retried = "'" + rs.getString(1) + "'::uuid";
      }
      st.execute("ANALYZE tb_stream");
      st.execute("ANALYZE tb_execution");
      st.execute("ANALYZE tb_summary");
    }
  }

  @AfterAll
  static void close() throws Exception {
    db.close();
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "discovery-plans.txt"), report);
  }

  /** A query shape: its SQL and literal parameter values, and the index its scan must use. */
  record Shape(String name, String sql, List<String> params, String index, int maxRows) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Arguments> shapes() {
    var out = new ArrayList<Shape>();
    for (var state : ExecutionQuery.State.values()) {
      String index = switch (state) {
        case ALL -> "tb_stream_exec_all_idx";
        case OPEN -> "tb_stream_exec_open_idx";
        case CLOSED -> "tb_stream_exec_closed_idx";
      };
      out.add(new Shape("executions state=" + state.wire(), DirectorySql.executions(state, false, false),
          List.of(String.valueOf(LIMIT + 1)), index, LIMIT + 1));
      out.add(new Shape("executions state=" + state.wire() + " after a cursor", DirectorySql.executions(state, false, true),
          List.of(String.valueOf(T0 + 20_000), "'ffffffff-ffff-4fff-bfff-ffffffffffff'::uuid", "0",
              String.valueOf(LIMIT + 1)), index, LIMIT + 1));
    }
    out.add(new Shape("executions close_reason=attempt_failure",
        DirectorySql.executions(ExecutionQuery.State.CLOSED, true, false),
        List.of("'attempt_failure'", String.valueOf(LIMIT + 1)), "tb_stream_exec_reason_idx", LIMIT + 1));
    out.add(new Shape("executions close_reason=attempt_failure after a cursor",
        DirectorySql.executions(ExecutionQuery.State.CLOSED, true, true),
        List.of("'attempt_failure'", "'attempt_failure'", String.valueOf(T0 + 20_000), "'ffffffff-ffff-4fff-bfff-ffffffffffff'::uuid", "0",
            String.valueOf(LIMIT + 1)), "tb_stream_exec_reason_idx", LIMIT + 1));
    out.add(new Shape("one execution with its attempts", DirectorySql.EXECUTION,
        List.of(retried, "3"),
        "tb_stream_attempt_uq", 2));
    out.add(new Shape("named streams, all", DirectorySql.namedStreams(false),
        List.of("NULL::bigint", "''", "''", String.valueOf(LIMIT + 1)), "tb_stream_ds_path_c_idx", LIMIT + 1));
    out.add(new Shape("named streams by prefix after a cursor", DirectorySql.namedStreams(true),
        List.of("NULL::bigint", "'/v1/stream/bulk/4/'", "'/v1/stream/bulk/4/5004'", "'/v1/stream/bulk/40'",
            String.valueOf(LIMIT + 1)), "tb_stream_ds_path_c_idx", LIMIT + 1));
    return out.stream().map(Arguments::of).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void pageIsAnIndexScanOfAboutAPage(Shape shape) throws SQLException {
    for (var mode : List.of("force_custom_plan", "force_generic_plan")) {
      var plan = plan(shape, mode);
      var text = report.get(report.size() - 1);
      var nodes = new ArrayList<JsonNode>();
      collect(plan, nodes);
      assertThat(nodes.stream().filter(n -> n.path("Node Type").asString().equals("Seq Scan"))
              .map(n -> n.path("Relation Name").asString()).toList())
          .as("%s (%s): sequentially scanned tables\n%s", shape, mode, text).isEmpty();
      var scan = nodes.stream()
          .filter(n -> "tb_stream".equals(n.path("Relation Name").asString(null)))
          .findFirst().orElseThrow();
      assertThat(scan.path("Node Type").asString()).as("%s (%s)\n%s", shape, mode, text).startsWith("Index");
      assertThat(scan.path("Index Name").asString()).as("%s (%s)\n%s", shape, mode, text).isEqualTo(shape.index());
      assertThat(scan.path("Actual Rows").asDouble() * scan.path("Actual Loops").asDouble())
          .as("%s (%s): rows the scan read\n%s", shape, mode, plan).isLessThanOrEqualTo(shape.maxRows());
      assertThat(scan.path("Rows Removed by Filter").asLong(0)).as("%s (%s)", shape, mode).isZero();
      nodes.stream().filter(n -> "tb_execution".equals(n.path("Relation Name").asString(null)))
          .forEach(n -> assertThat(n.path("Node Type").asString()).as("%s (%s)", shape, mode).startsWith("Index"));
    }
  }

  private static JsonNode plan(Shape shape, String mode) throws SQLException {
    var sql = new StringBuilder();
    int n = 0;
    for (char ch : shape.sql().toCharArray()) {
      sql.append(ch == '?' ? "$" + (++n) : String.valueOf(ch));
    }
    try (Connection c = db.dataSource().getConnection(); var st = c.createStatement()) {
      st.execute("SET plan_cache_mode = " + mode);
      st.execute("PREPARE shape AS " + sql);
      try {
        String args = String.join(", ", shape.params());
        try (var rs = st.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) EXECUTE shape(" + args + ")")) {
          rs.next();
          var root = JsonMapper.shared().readTree(rs.getString(1)).get(0).get("Plan");
          try (var text = st.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE shape(" + args + ")")) {
            var lines = new StringBuilder("-- " + shape + " (" + mode + ")\n");
            while (text.next()) {
              lines.append(text.getString(1)).append('\n');
            }
            report.add(lines.toString());
          }
          return root;
        }
      } finally {
        st.execute("DEALLOCATE shape");
        st.execute("RESET plan_cache_mode");
      }
    }
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    out.add(node);
    for (var child : node.path("Plans")) {
      collect(child, out);
    }
  }
}
