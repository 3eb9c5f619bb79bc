package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.EntryId;
import io.tributary.api.StreamCursor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PositionsTest {
  @Test
  @DisplayName("the packed position preserves the order of ids and round-trips")
  void packingPreservesOrderAndRoundTrips() {
    var rnd = new SplittableRandom(7);
    var ids = new ArrayList<EntryId>();
    for (int i = 0; i < 2_000; i++) {
      ids.add(new EntryId(rnd.nextLong(0, 1L << 41), rnd.nextLong(0, EntryId.MAX_SEQ + 1)));
    }
    ids.add(EntryId.ZERO);
    ids.add(new EntryId(EntryId.MAX_MS, EntryId.MAX_SEQ));
    for (var id : ids) {
      assertThat(Positions.toId(Positions.of(id))).isEqualTo(id);
    }
    var byCompare = new ArrayList<>(ids);
    Collections.sort(byCompare);
    var byPosition = new ArrayList<>(ids);
    byPosition.sort((a, b) -> Long.compare(Positions.of(a), Positions.of(b)));
    assertThat(byPosition).isEqualTo(byCompare);
  }

  @Test
  @DisplayName("§1.6 an incomplete <ms> is <ms>-0 as a lower bound and the whole ms as an upper bound")
  void incompleteBounds() {
    var at = (StreamCursor.At) StreamCursor.parse("17");
    assertThat(Positions.lower(at)).isEqualTo(Positions.of(new EntryId(17, 0)));
    assertThat(Positions.upper(at)).isEqualTo(Positions.of(new EntryId(17, EntryId.MAX_SEQ)));
    var complete = (StreamCursor.At) StreamCursor.parse("17-3");
    assertThat(Positions.lower(complete))
        .isEqualTo(Positions.upper(complete))
        .isEqualTo(Positions.of(new EntryId(17, 3)));
    assertThat(Positions.after(complete)).isEqualTo(Positions.of(new EntryId(17, 4)));
  }

  @Test
  @DisplayName("cursors beyond the id space saturate: a far-future bound reads everything")
  void beyondTheIdSpaceSaturates() {
    var farFuture = (StreamCursor.At) StreamCursor.parse("99999999999999999");
    assertThat(Positions.upper(farFuture)).isEqualTo(Long.MAX_VALUE);
    assertThat(Positions.lower(farFuture)).isEqualTo(Long.MAX_VALUE);
    var bigSeq = (StreamCursor.At) StreamCursor.parse("5-70000");
    assertThat(Positions.lower(bigSeq)).isEqualTo(Positions.of(new EntryId(6, 0)));
  }

  @Test
  @DisplayName("the SQL packs positions with the same sequence bits as the Java side")
  void sqlUsesTheSameSequenceBits() {
    String functions = migration("R__attempt_functions.sql");
    String shift = "<< " + Positions.SEQ_BITS;
    assertThat(functions).contains("now_ms " + shift).contains("last_pos >> " + Positions.SEQ_BITS);
    assertThat(functions.replaceAll("(<<|>>) " + Positions.SEQ_BITS + "\\b", ""))
        .as("every shift in the attempt functions is by SEQ_BITS")
        .doesNotContainPattern("(<<|>>) *[0-9]+");
  }

  static String migration(String name) {
    try (var in = Positions.class.getResourceAsStream("/io/tributary/db/migration/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
