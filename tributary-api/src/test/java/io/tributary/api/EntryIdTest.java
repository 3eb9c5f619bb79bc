package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryIdTest {

  @Test
  @DisplayName("§1.6 text form <ms>-<seq>, no padding")
  void textForm() {
    var id = EntryId.parse("1713100800150-0");
    assertThat(id.ms()).isEqualTo(1713100800150L);
    assertThat(id.seq()).isZero();
    assertThat(id).hasToString("1713100800150-0");
    assertThat(new EntryId(5, 12)).hasToString("5-12");
    assertThat(EntryId.ZERO).hasToString("0-0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"123", "start", "end", "", "-", "1-", "a-b"})
  @DisplayName("parse requires a complete <ms>-<seq>")
  void parseRejectsIncomplete(String text) {
    assertThatThrownBy(() -> EntryId.parse(text)).isInstanceOf(ValidationException.class);
  }

  @Test
  @DisplayName("ordering is by ms, then seq; the id space ends at MAX_MS-MAX_SEQ")
  void ordering() {
    var sorted = new ArrayList<>(List.of(
        new EntryId(EntryId.MAX_MS, EntryId.MAX_SEQ), new EntryId(11, 0), EntryId.ZERO,
        new EntryId(10, EntryId.MAX_SEQ), new EntryId(10, 2), new EntryId(10, 1)));
    Collections.sort(sorted);
    assertThat(sorted).containsExactly(
        EntryId.ZERO, new EntryId(10, 1), new EntryId(10, 2), new EntryId(10, EntryId.MAX_SEQ),
        new EntryId(11, 0), new EntryId(EntryId.MAX_MS, EntryId.MAX_SEQ));
    assertThatThrownBy(() -> new EntryId(EntryId.MAX_MS + 1, 0)).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> new EntryId(0, EntryId.MAX_SEQ + 1)).isInstanceOf(ValidationException.class);
  }

  @Test
  @DisplayName("negative or oversized parts are rejected with a typed error")
  void rangeChecks() {
    assertThatThrownBy(() -> new EntryId(-1, 0)).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> new EntryId(0, -1)).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> new EntryId(0, EntryId.MAX_SEQ + 1)).isInstanceOf(ValidationException.class);
  }
}
