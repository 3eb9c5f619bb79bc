package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Constants written both in the migrations' SQL and in Java say the same; the migrations' layout. */
class SqlConstantsTest {
  private static final List<String> VERSIONED = List.of(
      "V1__streams.sql", "V2__named_streams.sql", "V3__token_key.sql", "V4__subscriptions.sql", "V5__discovery.sql");
  private static final List<String> REPEATABLE =
      List.of("R__attempt_functions.sql", "R__named_functions.sql", "R__discovery.sql");
  private static final Pattern FUNCTION = Pattern.compile("(?i)CREATE\\s+(OR\\s+REPLACE\\s+)?FUNCTION\\s+(\\w+)");

  @Test
  @DisplayName("the SQL notifies on the channel the listener listens on, and on no other")
  void notifyChannel() {
    String functions = PositionsTest.migration("R__attempt_functions.sql");
    assertThat(functions).contains("pg_notify('" + Notifier.CHANNEL + "',");
    for (String name : all()) {
      assertThat(PositionsTest.migration(name).replace("pg_notify('" + Notifier.CHANNEL + "'", ""))
          .as(name + " notifies on no other channel")
          .doesNotContain("pg_notify(")
          .doesNotContainPattern("(?i)\\bNOTIFY\\s+[a-z_]");
    }
  }

  @Test
  @DisplayName("versioned migrations create no function; each function is created once, in a repeatable one")
  void functionsLiveOnceInRepeatableMigrations() {
    for (String name : VERSIONED) {
      assertThat(FUNCTION.matcher(PositionsTest.migration(name)).find()).as(name + " creates a function").isFalse();
    }
    var definedIn = new HashMap<String, String>();
    for (String name : REPEATABLE) {
      var m = FUNCTION.matcher(PositionsTest.migration(name));
      while (m.find()) {
        assertThat(m.group(1)).as(m.group(2) + " in " + name + " is re-creatable").isNotNull();
        String before = definedIn.put(m.group(2).toLowerCase(Locale.ROOT), name);
        assertThat(before).as(m.group(2) + " defined twice").isNull();
      }
    }
    assertThat(definedIn).containsKeys("tb_append_batch", "tb_ds_append_batch", "tb_attempt_listing");
  }

  private static List<String> all() {
    return java.util.stream.Stream.concat(VERSIONED.stream(), REPEATABLE.stream()).toList();
  }
}
