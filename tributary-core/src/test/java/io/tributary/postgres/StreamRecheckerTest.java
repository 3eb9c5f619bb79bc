package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamFrames;
import io.tributary.api.TailVisibility;
import io.tributary.testing.EmbeddedPostgres;
import io.tributary.testing.SilentAppend;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared re-check: a change whose notification never arrives still reaches the parked
 * readers within an interval, and parked readers cost the database one query per interval for
 * all of them, not one each.
 */
class StreamRecheckerTest {
  private static final Duration INTERVAL = Duration.ofMillis(200);

  @Test
  void aChangeWithoutANotificationWakesItsReadersAtTheNextRecheck() throws Exception {
    String url = EmbeddedPostgres.createDatabase("recheck_lost");
    try (var reader = store(url)) {
      await().atMost(10, TimeUnit.SECONDS).until(reader.database()::isListening);
      var h = reader.startAttempt(ExecutionId.random(0), Duration.ofSeconds(60));
      var tail = CompletableFuture.supplyAsync(
          () -> reader.tail(h.executionId(), 0, StreamCursor.fromBeginning(), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> reader.database().notifier().watchedStreams() == 1);
      // the frame goes in without the store: no NOTIFY is ever sent for it
      SilentAppend.append(url, h);
      var frames = tail.get(10, TimeUnit.SECONDS);
      assertThat(frames.frames()).hasSize(1);
    }
  }

  @Test
  void twoHundredParkedReadersCostAboutOneQueryPerIntervalNotOneEach() throws Exception {
    String url = EmbeddedPostgres.createDatabase("recheck_cost");
    try (var store = store(url)) {
      await().atMost(10, TimeUnit.SECONDS).until(store.database()::isListening);
      var handles = new ArrayList<Handle>();
      for (int i = 0; i < 50; i++) {
        handles.add(store.startAttempt(ExecutionId.random(0), Duration.ofSeconds(60)));
      }
      var tails = new ArrayList<CompletableFuture<StreamFrames>>();
      for (var h : handles) {
        for (int r = 0; r < 4; r++) {
          tails.add(CompletableFuture.supplyAsync(
              () -> store.tail(h.executionId(), 0, StreamCursor.fromBeginning(), 8_000, 10, TailVisibility.ALL),
              java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
        }
      }
      await().atMost(10, TimeUnit.SECONDS).until(() -> store.database().notifier().watchedStreams() == 50);
      Thread.sleep(1_500); // the first passes wake each stream once; let those re-queries pass
      long before = transactions(url);
      Thread.sleep(3_000);
      long after = transactions(url);
      // 3 s = 15 intervals: one query each, plus the health probe's checks (0.5 s) and the
      // statistics' own lag; one re-query per reader per interval would be about 3 000
      assertThat(after - before).isLessThan(150);
      for (var h : handles) {
        store.append(h, Frame.of("log", "wake"));
      }
      for (var t : tails) {
        assertThat(t.get(10, TimeUnit.SECONDS).frames()).hasSize(1);
      }
    }
  }

  private static PostgresStreamStore store(String url) {
    return new PostgresStreamStore(
        Database.open(StoreConfig.builder(url).user("postgres").tailRecheckInterval(INTERVAL).build()));
  }

  private static long transactions(String url) throws Exception {
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var st = c.createStatement();
        var rs = st.executeQuery(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
