package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamCreation;
import io.tributary.api.NamedStreamDeletion;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The named-stream functions answer with text statuses that map one to one onto the API's
 * outcome enums (by name): every constant is a status the SQL returns, and the SQL returns no
 * status that is not a constant.
 */
class NamedStreamStatusTest {
  /** Quoted words in R__named_functions that are not outcome statuses: the row state, the read resolution, empty. */
  private static final java.util.Set<String> NOT_STATUSES = java.util.Set.of("", "live", "ok");

  @Test
  @DisplayName("every outcome constant is a status of the named-stream functions, and they return no other")
  void statusesMatch() {
    String sql = PositionsTest.migration("R__named_functions.sql");
    var quoted =
        Pattern.compile("'([a-z_]*)'").matcher(sql).results().map(m -> m.group(1)).collect(Collectors.toSet());
    var constants =
        Stream.of(
                Stream.of(NamedStreamCreation.Status.values()),
                Stream.of(NamedStreamAppendResult.Status.values()),
                Stream.of(NamedStreamDeletion.values()))
            .flatMap(s -> s)
            .map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    assertThat(quoted).containsAll(constants);
    quoted.removeAll(NOT_STATUSES);
    assertThat(constants).containsAll(quoted);
  }
}
