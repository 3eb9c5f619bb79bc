package io.tributary.protocol.ds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventsTest {
  @Test
  void dataIsSplitAtEveryLineBreakKind() {
    assertThat(SseEvents.data("a\r\nb\rc\nd")).isEqualTo("event: data\ndata:a\ndata:b\ndata:c\ndata:d\n\n");
    assertThat(SseEvents.data("end\n")).isEqualTo("event: data\ndata:end\ndata:\n\n");
    assertThat(SseEvents.data(" lead")).isEqualTo("event: data\ndata:  lead\n\n");
  }

  @Test
  void controlOmitsTheCursorOnceClosed() {
    assertThat(SseEvents.control("o", "7", true, false))
        .isEqualTo("event: control\ndata:{\"streamNextOffset\":\"o\",\"streamCursor\":\"7\",\"upToDate\":true}\n\n");
    assertThat(SseEvents.control("o", "7", true, true))
        .isEqualTo("event: control\ndata:{\"streamNextOffset\":\"o\",\"upToDate\":true,\"streamClosed\":true}\n\n");
  }

  @Test
  void aSharedBatchIsEncodedPerCursorAndNeverHandsOutAnotherCursorsBytes() {
    var batch = new SseBatch<>(true, "a\nb", 7, "o7", true, false);
    var first = batch.events("3");
    assertThat(new String(first, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(SseEvents.data("a\nb") + SseEvents.control("o7", "3", true, false));
    // the same cursor: the same bytes, encoded once for every reader
    assertThat(batch.events("3")).isSameAs(first);
    // a reader whose echoed cursor pushed its own ahead gets its own control event
    assertThat(new String(batch.events("99"), java.nio.charset.StandardCharsets.UTF_8)).endsWith(SseEvents.control("o7", "99", true, false));
    assertThat(new String(batch.events("3"), java.nio.charset.StandardCharsets.UTF_8)).endsWith(SseEvents.control("o7", "3", true, false));
    assertThat(new String(batch.control("3"), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(SseEvents.control("o7", "3", true, false));
    var closedAtEnd = new SseBatch<>(true, null, 7, "o7", true, true);
    assertThat(new String(closedAtEnd.control("3"), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(SseEvents.control("o7", "3", true, true));
  }

  @Test
  void offsetsParseStrictly() {
    assertThat(DsOffset.parse((List<String>) null)).isEqualTo(DsOffset.START);
    assertThat(DsOffset.parse("-1")).isEqualTo(DsOffset.START);
    assertThat(DsOffset.parse("now")).isEqualTo(DsOffset.NOW);
    assertThat(DsOffset.parse("0000000000000012_0000000000000034")).isEqualTo(new DsOffset.At(12, 34));
    assertThat(DsOffset.format(12, 34)).isEqualTo("0000000000000012_0000000000000034");
    for (var bad : new String[] {"", "0", "-2", "NOW", "0000000000000000_000000000000001", " 0000000000000000_0000000000000001"}) {
      assertThatThrownBy(() -> DsOffset.parse(bad)).as(bad).isInstanceOf(DsException.class);
    }
    assertThatThrownBy(() -> DsOffset.parse(List.of("-1", "-1"))).isInstanceOf(DsException.class);
  }

  @Test
  void cursorsCountTwentySecondIntervalsAndJumpPastAnEcho() {
    long now = DsCursor.EPOCH_MS + 45_000;
    assertThat(DsCursor.next(now, null)).isEqualTo("2");
    assertThat(DsCursor.next(now, "1")).isEqualTo("2");
    assertThat(Long.parseLong(DsCursor.next(now, "2"))).isGreaterThan(2);
    assertThat(Long.parseLong(DsCursor.next(now, "50"))).isGreaterThan(50);
    assertThat(DsCursor.next(now, "junk")).isEqualTo("2");
  }
}
