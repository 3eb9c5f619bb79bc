package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AttemptStatusTest {
  @Test
  @DisplayName("each status code of the attempt functions has one constant, named as the SQL names it")
  void matchesTheSql() {
    String sql = PositionsTest.migration("R__attempt_functions.sql");
    String header = sql.lines().filter(l -> l.startsWith("--   0 ok")).findFirst().orElseThrow();
    for (var s : AttemptStatus.values()) {
      assertThat(AttemptStatus.of(s.code)).isSameAs(s);
      if (s == AttemptStatus.KEY_REUSED) {
        assertThat(sql).contains("is status " + s.code + " (r_pos = the first append's position)");
      } else {
        assertThat(header).contains(s.code + " " + s.name().toLowerCase(Locale.ROOT).replace('_', ' '));
      }
    }
    assertThatThrownBy(() -> AttemptStatus.of(7)).isInstanceOf(IllegalStateException.class);
  }
}
