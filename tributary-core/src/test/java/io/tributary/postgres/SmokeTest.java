package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.*;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void appendReadTailSummary() throws Exception {
    var url = EmbeddedPostgres.createDatabase("smoke");
    try (var store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build())) {
      var eid = ExecutionId.random(42);
      var h = store.startAttempt(eid, Duration.ofSeconds(30));
      var o1 = store.append(h, Frame.of("log", "hello"));
      var o2 = store.append(h, Frame.of("log", "{\"a\":1}").withMode(StreamMode.durableSummary()));
      var o3 = store.append(h, Frame.of("tok", "x").withMode(StreamMode.bestEffortLive(5000)));
      assertThat(o1.frameCount()).isEqualTo(1);
      assertThat(o2.summaryVersion()).isEqualTo(1);
      assertThat(o3.frameCount()).isEqualTo(3);
      var r = store.read(eid, 0, StreamCursor.START, StreamCursor.END, 100);
      assertThat(r.frames()).hasSize(3);
      System.out.println(r);
      System.out.println(store.readSummary(eid, 0));
      var t0 = System.nanoTime();
      var t = new Thread(() -> { try { Thread.sleep(300); store.append(h, Frame.of("log", "late")); } catch (Exception e) { throw new RuntimeException(e);} });
      t.start();
      var tail = store.tail(eid, 0, StreamCursor.at(o3.id()), 5000, 10, TailVisibility.ALL);
      System.out.println("tail woke after ms " + (System.nanoTime() - t0) / 1e6 + " " + tail);
      assertThat(tail.frames()).hasSize(1);
      store.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      var r2 = store.read(eid, 0, StreamCursor.START, StreamCursor.END, 100);
      assertThat(r2.closedReason()).isEqualTo("attempt_success");
    }
  }
}
