package io.tributary.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult.Status;
import io.tributary.api.NamedStreamCreation;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamSpec;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Named-stream appends notify only streams a reader has marked watched, and a parked reader
 * (which marks its stream) is still woken by the notification, not by the re-check.
 */
class NamedStreamWatchTest {
  private static final String TEXT = "text/plain";
  private static String url;
  private static PostgresNamedStreamStore store;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("named_watch");
    // a re-check far beyond every wait below: only a notification can wake a parked reader
    store = new PostgresNamedStreamStore(Database.open(
        StoreConfig.builder(url).user("postgres").tailRecheckInterval(Duration.ofMinutes(5)).build()));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static String create(String name) {
    var path = "/v1/stream/" + name;
    assertThat(store.create(path, NamedStreamSpec.of(TEXT)).status()).isEqualTo(NamedStreamCreation.Status.CREATED);
    return path;
  }

  private static NamedStreamAppend data(String s) {
    return NamedStreamAppend.of(TEXT, s.getBytes(UTF_8));
  }

  /** The notification payloads that arrive on the channel within {@code ms}. */
  private static List<String> notifications(PGConnection listener, int ms) throws Exception {
    var out = new ArrayList<String>();
    long until = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() < until) {
      var got = listener.getNotifications(50);
      if (got != null) {
        for (var n : got) {
          out.add(n.getParameter());
        }
      }
    }
    return out;
  }

  @Test
  void anAppendToAnUnwatchedStreamNotifiesNobodyAndAParkedReaderIsWokenByItsAppend() throws Exception {
    var quiet = create("watch-quiet");
    var watched = create("watch-parked");
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var readers = Executors.newSingleThreadExecutor()) {
      try (var st = c.createStatement()) {
        st.execute("LISTEN " + Notifier.CHANNEL);
      }
      var listener = c.unwrap(PGConnection.class);
      assertThat(store.append(quiet, data("nobody reads this")).status()).isEqualTo(Status.APPENDED);
      long quietId = store.head(quiet).info().id();
      assertThat(notifications(listener, 300)).as("no reader, no notification").doesNotContain(Long.toString(quietId));

      long tail = store.head(watched).nextPos();
      var parked = readers.submit(() -> store.await(watched, tail, 1 << 20, Duration.ofSeconds(30)));
      long watchedId = store.head(watched).info().id();
      // the reader marks its stream before it parks: wait for the mark, then append
      long until = System.nanoTime() + 10_000_000_000L;
      while (!marked(watchedId) && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertThat(marked(watchedId)).as("the parked reader marked its stream").isTrue();
      assertThat(store.append(watched, data("hello")).status()).isEqualTo(Status.APPENDED);
      NamedStreamRead read = parked.get(10, TimeUnit.SECONDS);
      assertThat(read.frames()).extracting(f -> new String(f.payload(), UTF_8)).containsExactly("hello");
      assertThat(notifications(listener, 300)).contains(Long.toString(watchedId));
    }
  }

  private static boolean marked(long id) throws Exception {
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var ps = c.prepareStatement("SELECT watched_until_ms IS NOT NULL FROM tb_stream WHERE id = ?")) {
      ps.setLong(1, id);
      try (var rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }
}
