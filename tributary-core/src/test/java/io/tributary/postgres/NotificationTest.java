package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StaleOwnerException;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * What the store sends on the NOTIFY channel: hints only, one per stream per transaction, and for
 * appends only to streams some reader watches (a watch mark, see {@link WatchMarks}).
 */
class NotificationTest {
  private static String url;
  private static PostgresStreamStore store;
  private static Connection listener;

  @BeforeAll
  static void open() throws SQLException {
    url = EmbeddedPostgres.createDatabase("notifications");
    store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build());
    listener = DriverManager.getConnection(url, "postgres", "");
    try (var st = listener.createStatement()) {
      st.execute("LISTEN " + Notifier.CHANNEL);
    }
  }

  @AfterAll
  static void close() throws SQLException {
    listener.close();
    store.close();
  }

  @BeforeEach
  void drain() throws SQLException {
    received(200);
  }

  /** Payloads received within {@code waitMs} of quiet. */
  private static List<String> received(int waitMs) throws SQLException {
    var out = new ArrayList<String>();
    var pg = listener.unwrap(PGConnection.class);
    while (true) {
      var notes = pg.getNotifications(waitMs);
      if (notes == null || notes.length == 0) {
        return out;
      }
      for (var n : notes) {
        out.add(n.getParameter());
      }
    }
  }

  private static long streamId(ExecutionId eid) throws SQLException {
    try (Connection c = store.database().dataSource().getConnection();
        var ps = c.prepareStatement("SELECT id FROM tb_stream WHERE kind = 1 AND execution_id = ? AND attempt_index = 0")) {
      ps.setObject(1, eid.uuid());
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** A new attempt, its stream watched or not, started after the notifications so far were read. */
  private static Handle attempt(boolean watched) throws SQLException {
    var eid = ExecutionId.random(1);
    var h = store.startAttempt(eid, Duration.ofMinutes(5));
    if (watched) {
      assertThat(store.database().watchMarks().ensure(streamId(eid))).isTrue();
    }
    received(100);
    return h;
  }

  /** Asserts that exactly one notification, naming the stream of {@code h}, arrives. */
  private static void assertOneNotificationFor(Handle h) throws SQLException {
    assertThat(received(300)).containsExactly(Long.toString(streamId(h.executionId())));
  }

  @Test
  @DisplayName("an append sends one notification naming its stream; a close sends one too")
  void oneNotificationPerAppend() throws SQLException {
    var h = attempt(true);
    store.append(h, Frame.of("log", "x"));
    assertOneNotificationFor(h);
    store.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
    assertOneNotificationFor(h);
  }

  @Test
  @DisplayName("an append to a stream nobody watches sends no notification; its close still does")
  void unwatchedAppendIsSilent() throws SQLException {
    var h = attempt(false);
    store.append(h, Frame.of("log", "x"));
    store.appendAsync(h, Frame.of("log", "y")).join();
    store.append(h, Frame.of("s", "{\"a\":1}").withMode(io.tributary.api.StreamMode.durableSummary()));
    assertThat(received(300)).isEmpty();
    store.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
    assertOneNotificationFor(h);
  }

  @Test
  @DisplayName("a rejected append sends no notification (tails are not woken for nothing)")
  void rejectedAppendIsSilent() throws SQLException {
    var h = attempt(true);
    var forged = new Handle(h.executionId(), 0, h.attemptId(), h.leaseId(), h.leaseEpoch() + 1,
        h.leaseTtlMs(), h.leaseExpiresAtMs(), "", "");
    assertThat(catchThrowable(() -> store.append(forged, Frame.of("log", "x")))).isInstanceOf(StaleOwnerException.class);
    assertThat(received(300)).isEmpty();
  }

  @Test
  @DisplayName("under concurrent appends no notification names a stream twice, and there is at most one per append")
  void batchedNotifications() throws Exception {
    var eids = new ArrayList<ExecutionId>();
    var handles = new ArrayList<Handle>();
    for (int i = 0; i < 4; i++) {
      var eid = ExecutionId.random(1);
      eids.add(eid);
      handles.add(store.startAttempt(eid, Duration.ofMinutes(5)));
      assertThat(store.database().watchMarks().ensure(streamId(eid))).isTrue();
    }
    received(100);
    var pool = Executors.newFixedThreadPool(8);
    try {
      var go = new CountDownLatch(1);
      var futures = new ArrayList<Future<?>>();
      for (int w = 0; w < 8; w++) {
        var h = handles.get(w % handles.size());
        futures.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < 100; i++) {
            store.append(h, Frame.of("log", "x"));
          }
          return null;
        }));
      }
      go.countDown();
      for (var f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    var notes = received(500);
    assertThat(notes).isNotEmpty().hasSizeLessThanOrEqualTo(800);
    var ids = new ArrayList<String>();
    for (var e : eids) {
      ids.add(Long.toString(streamId(e)));
    }
    for (var n : notes) {
      var parts = Arrays.asList(n.split(","));
      assertThat(parts).as("payload %s", n).doesNotHaveDuplicates();
      assertThat(ids).containsAll(parts);
    }
  }
}
