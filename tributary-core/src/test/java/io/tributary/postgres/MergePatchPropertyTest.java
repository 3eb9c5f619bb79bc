package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.SummaryPatch;
import io.tributary.api.ValidationException;
import io.tributary.contract.JsonSupport;
import io.tributary.contract.Seeds;
import io.tributary.testing.EmbeddedPostgres;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SQL merge ({@code tb_merge_patch}) against Parsson's RFC 7396 implementation: a seeded
 * property test over sentinel-free patches without empty-object member values, RFC 7396 Appendix
 * A, and the one intended difference (an empty-object value replaces, as in the reference).
 */
class MergePatchPropertyTest {
  private static Database db;

  @BeforeAll
  static void open() {
    db = Database.open(StoreConfig.builder(EmbeddedPostgres.createDatabase("merge_patch")).user("postgres").build());
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static String merge(Connection c, String target, String patch) throws SQLException {
    try (var ps = c.prepareStatement("SELECT tb_merge_patch(?::jsonb, ?::jsonb)::text")) {
      ps.setString(1, target);
      ps.setString(2, patch);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  @Test
  @DisplayName("property: tb_merge_patch(target, patch) == RFC 7396 (Parsson) for random documents and patches")
  void matchesRfc7396() throws SQLException {
    long seed = Seeds.seed();
    int cases = Integer.getInteger("mergePatchCases", 1500);
    var gen = new JsonSupport.Gen(seed);
    try (Connection c = db.dataSource().getConnection()) {
      for (int i = 0; i < cases; i++) {
        var target = gen.target(gen.random().nextInt(1, 5));
        var patch = gen.patch(gen.random().nextInt(1, 5));
        var expected = JsonSupport.rfc7396(target, patch);
        String actual = merge(c, target.toString(), patch.toString());
        assertThat(JsonSupport.equivalent(JsonSupport.parse(actual), expected))
            .as(
                "%s case %d%n target   %s%n patch    %s%n expected %s%n actual   %s",
                Seeds.replay(seed), i, target, patch, expected, actual)
            .isTrue();
      }
    }
  }

  @ParameterizedTest(name = "[{index}] {0} + {1} = {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"a":"b}                     | {"a":"c"}                   | {"a":"c"}
          {"a":"b"}                    | {"b":"c"}                   | {"a":"b","b":"c"}
          {"a":"b"}                    | {"a":null}                  | {}
          {"a":"b","b":"c"}            | {"a":null}                  | {"b":"c"}
          {"a":["b"]}                  | {"a":"c"}                   | {"a":"c"}
          {"a":"c"}                    | {"a":["b"]}                 | {"a":["b"]}
          {"a":{"b":"c"}}              | {"a":{"b":"d","c":null}}    | {"a":{"b":"d"}}
          {"a":[{"b":"c"}]}            | {"a":[1]}                   | {"a":[1]}
          {"e":null}                   | {"a":1}                     | {"e":null,"a":1}
          [1,2]                        | {"a":"b","c":null}          | {"a":"b"}
          {}                           | {"a":{"bb":{"ccc":null}}}   | {"a":{"bb":{}}}
          """)
  @DisplayName("RFC 7396 Appendix A (object patches) through tb_merge_patch")
  void appendixA(String target, String patch, String result) throws SQLException {
    // CSV keeps the first row's quote balanced only with the leading quote; fix it up here
    if (target.equals("{\"a\":\"b}")) {
      target = "{\"a\":\"b\"}";
    }
    try (Connection c = db.dataSource().getConnection()) {
      var actual = JsonSupport.parse(merge(c, target, patch));
      assertThat(JsonSupport.equivalent(actual, JsonSupport.parse(result))).as("got %s", actual).isTrue();
      assertThat(JsonSupport.equivalent(
              JsonSupport.rfc7396(JsonSupport.parse(target), JsonSupport.parse(patch)), JsonSupport.parse(result)))
          .isTrue();
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ["c","d"]
          ["c"]
          null
          "bar"
          """)
  @DisplayName("RFC 7396 Appendix A non-object patches are rejected (object root required, §3.1.1)")
  void appendixANonObjectPatches(String patch) {
    assertThatThrownBy(() -> SummaryPatch.validate(patch.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("patch must be a JSON object");
  }

  @Test
  @DisplayName("intended difference: an empty-object value replaces the target member (RFC 7396 would merge)")
  void emptyObjectReplaces() throws SQLException {
    String target = "{\"a\":{\"b\":1},\"k\":2}";
    String patch = "{\"a\":{}}";
    try (Connection c = db.dataSource().getConnection()) {
      JsonValue ours = JsonSupport.parse(merge(c, target, patch));
      JsonValue rfc = JsonSupport.rfc7396(JsonSupport.parse(target), JsonSupport.parse(patch));
      assertThat(JsonSupport.equivalent(ours, JsonSupport.parse("{\"a\":{},\"k\":2}"))).as("ours %s", ours).isTrue();
      assertThat(JsonSupport.equivalent(rfc, JsonSupport.parse("{\"a\":{\"b\":1},\"k\":2}"))).as("rfc %s", rfc).isTrue();
      // where the target member is absent or not an object, both agree
      assertThat(merge(c, "{\"a\":5}", patch)).isEqualTo("{\"a\": {}}");
      assertThat(merge(c, "{}", patch)).isEqualTo("{\"a\": {}}");
      // nested: only the empty member is replaced
      assertThat(JsonSupport.equivalent(
              JsonSupport.parse(merge(c, "{\"a\":{\"b\":{\"x\":1},\"c\":1}}", "{\"a\":{\"b\":{}}}")),
              JsonSupport.parse("{\"a\":{\"b\":{},\"c\":1}}")))
          .isTrue();
    }
  }

  @Test
  @DisplayName("tb_null_sentinels rewrites sentinel leaves at every depth, in objects and arrays only as whole strings")
  void nullSentinels() throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement("SELECT tb_null_sentinels(?::jsonb)::text")) {
      ps.setString(1, "{\"a\":\"__ff_null__\",\"b\":[1,\"__ff_null__\",{\"c\":\"__ff_null__\"}],\"d\":\"x__ff_null__\",\"__ff_null__\":2}");
      try (var rs = ps.executeQuery()) {
        rs.next();
        assertThat(JsonSupport.equivalent(
                JsonSupport.parse(rs.getString(1)),
                JsonSupport.parse("{\"a\":null,\"b\":[1,null,{\"c\":null}],\"d\":\"x__ff_null__\",\"__ff_null__\":2}")))
            .as(rs.getString(1))
            .isTrue();
      }
    }
  }
}
