package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Constants written both in the migrations' SQL and in Java say the same. */
class SqlConstantsTest {
  @Test
  @DisplayName("the SQL notifies on the channel the listener listens on, and on no other")
  void notifyChannel() {
    String functions = PositionsTest.migration("V2__attempt_functions.sql");
    assertThat(functions).contains("pg_notify('" + Notifier.CHANNEL + "',");
    for (String name : new String[] {"V1__streams.sql", "V2__attempt_functions.sql", "V3__named_streams.sql", "V5__subscriptions.sql"}) {
      assertThat(PositionsTest.migration(name).replace("pg_notify('" + Notifier.CHANNEL + "'", ""))
          .as(name + " notifies on no other channel")
          .doesNotContain("pg_notify(")
          .doesNotContainPattern("(?i)\\bNOTIFY\\s+[a-z_]");
    }
  }
}
