package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cursor grammar of spec §1.6 (acceptance scenarios §8.1–§8.3). */
class StreamCursorTest {

  @Test
  @DisplayName("§8.1 start/end/<ms>/<ms>-<seq> parse to their variants and display back")
  void parsesEveryVariant() {
    assertThat(StreamCursor.parse("start")).isInstanceOf(StreamCursor.Start.class).isSameAs(StreamCursor.START);
    assertThat(StreamCursor.parse("end")).isInstanceOf(StreamCursor.End.class).isSameAs(StreamCursor.END);
    assertThat(StreamCursor.parse("123")).isEqualTo(new StreamCursor.At(new EntryId(123, 0), false));
    assertThat(StreamCursor.parse("0-0")).isEqualTo(new StreamCursor.At(EntryId.ZERO, true));
    assertThat(StreamCursor.parse("1713100800150-0"))
        .isEqualTo(new StreamCursor.At(new EntryId(1713100800150L, 0), true));
    assertThat(StreamCursor.parse("123-4")).isEqualTo(StreamCursor.at(new EntryId(123, 4)));

    assertThat(StreamCursor.START).hasToString("start");
    assertThat(StreamCursor.END).hasToString("end");
    assertThat(StreamCursor.parse("123")).hasToString("123");
    assertThat(StreamCursor.parse("123-4")).hasToString("123-4");
    assertThat(StreamCursor.parse("1713100800150-0")).hasToString("1713100800150-0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"start", "end", "0", "123", "0-0", "123-4", "1713100800150-0", "1713100800150-4194303"})
  @DisplayName("§8.2 display/parse round trip preserves the value")
  void roundTrip(String token) {
    var c = StreamCursor.parse(token);
    assertThat(c).hasToString(token);
    assertThat(StreamCursor.parse(c.toString())).isEqualTo(c);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-", "+"})
  @DisplayName("§8.2 bare - and + are BareMarkerRejected")
  void bareMarkers(String token) {
    assertThatThrownBy(() -> StreamCursor.parse(token))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.kind()).isEqualTo(ValidationKind.BARE_MARKER_REJECTED));
  }

  @Test
  @DisplayName("§8.2 empty (and null) is EmptyCursor")
  void empty() {
    for (String token : new String[] {"", null}) {
      assertThatThrownBy(() -> StreamCursor.parse(token))
          .isInstanceOfSatisfying(
              ValidationException.class, e -> assertThat(e.kind()).isEqualTo(ValidationKind.EMPTY_CURSOR));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc", "-1", "1-", "-1-2", "1-2-3", "1.2", "1 2", "Start", "END", "1–2", " 1", "1 ", "--",
        "1--2", "0x10", "+1", "１２", "٣", "1-2a", "start "
      })
  @DisplayName("§8.2 anything outside ^[0-9]+(-[0-9]+)?$ is Malformed")
  void malformed(String token) {
    assertThatThrownBy(() -> StreamCursor.parse(token))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.kind()).isEqualTo(ValidationKind.MALFORMED_CURSOR));
  }

  @Test
  @DisplayName("§8.3 fromBeginning() is At(0-0); start/end are open markers")
  void fromBeginning() {
    assertThat(StreamCursor.fromBeginning()).isEqualTo(StreamCursor.parse("0-0"));
    assertThat(StreamCursor.fromBeginning().id()).isEqualTo(EntryId.ZERO);
    assertThat(StreamCursor.fromBeginning().complete()).isTrue();
  }

  @Test
  @DisplayName("§1.6 an incomplete <ms> parses as <ms> with seq 0, marked incomplete")
  void incompleteCursor() {
    var at = (StreamCursor.At) StreamCursor.parse("17");
    assertThat(at.complete()).isFalse();
    assertThat(at.id()).isEqualTo(new EntryId(17, 0));
    assertThat(((StreamCursor.At) StreamCursor.parse("17-3")).complete()).isTrue();
  }

  @Test
  @DisplayName("a digit run beyond a long parses (saturating) or is a typed error, never a NumberFormatException")
  void overflowIsTyped() {
    for (String token : new String[] {"99999999999999999999999", "1-99999999999999999999999", "99999999999999999999999-1"}) {
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> StreamCursor.parse(token));
      assertThat(t == null || t instanceof ValidationException).as("%s threw %s", token, t).isTrue();
      if (t == null) {
        assertThat(StreamCursor.parse(token)).isInstanceOf(StreamCursor.At.class);
      }
    }
  }

  @Test
  @DisplayName("leading zeros are grammatical and denote the same id")
  void leadingZeros() {
    assertThat(((StreamCursor.At) StreamCursor.parse("007-01")).id()).isEqualTo(new EntryId(7, 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"9999999999999", "9999999999999-0", "2199023255552-0", "1-4194304"})
  @DisplayName(
      "§1.6 grammatical ids beyond the store's packed range (ms after 2039-09-07, seq >= 2^22) still parse"
          + " (e.g. a far-future upper bound)")
  void grammaticalButBeyondPackedRange(String token) {
    // The grammar of §1.6 only rejects what does not match ^[0-9]+(-[0-9]+)?$. A client passing
    // to=9999999999999 ("everything up to year 2286") must not get a malformed-cursor error.
    var c = StreamCursor.parse(token);
    assertThat(c).isInstanceOf(StreamCursor.At.class);
  }
}
