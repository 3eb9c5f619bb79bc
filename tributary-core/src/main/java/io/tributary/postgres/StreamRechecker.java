package io.tributary.postgres;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net under LISTEN/NOTIFY, shared by every parked reader of the process: every re-check
 * interval one query reads the row version ({@code xmin}) of each stream that has waiters, and the
 * waiters of a stream whose row changed (an append, a close, a reclaim, a deletion) are woken to
 * re-query. A lost notification therefore costs at most one interval, never data, and an idle
 * process pays one query per interval whatever the number of readers (none without readers).
 *
 * <p>A stream seen for the first time wakes its waiters once: its version before their first
 * query is unknown, and a change in between whose notification was lost would otherwise go
 * unnoticed. Waiters of attempts that do not exist yet ({@link Notifier#ATTEMPT_STARTED}) are
 * woken every interval: they cannot be checked by row.
 */
final class StreamRechecker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamRechecker.class);
  static final String VERSIONS =
      "SELECT id, xmin::text FROM tb_stream WHERE id = ANY(?)";

  private final DataSource pool;
  private final Notifier notifier;
  private final WatchMarks marks;
  private final long intervalMs;
  /** Last seen version per watched stream (null: no row); touched by the recheck thread only. */
  private final Map<Long, String> versions = new HashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  private StreamRechecker(DataSource pool, Notifier notifier, WatchMarks marks, long intervalMs) {
    this.pool = pool;
    this.notifier = notifier;
    this.marks = marks;
    this.intervalMs = intervalMs;
    this.thread = Thread.ofPlatform().daemon().name("tributary-recheck").unstarted(this::run);
  }

  static StreamRechecker start(DataSource pool, Notifier notifier, WatchMarks marks, long intervalMs) {
    var r = new StreamRechecker(pool, notifier, marks, intervalMs);
    r.thread.start();
    return r;
  }

  private void run() {
    while (running) {
      try {
        Thread.sleep(intervalMs);
      } catch (InterruptedException e) {
        return;
      }
      try {
        recheck();
      } catch (SQLException | RuntimeException e) {
        // an outage: the versions stay as they were, so a change during it shows next time
        log.debug("re-check of watched streams failed: {}", e.getMessage());
      }
    }
  }

  /** One pass: wakes the waiters of every watched stream that changed since the last pass. */
  void recheck() throws SQLException {
    var watched = notifier.watchedStreamIds();
    versions.keySet().retainAll(watched);
    // parked readers keep their streams' watch marks alive, or appends would stop notifying
    marks.renew(watched);
    if (watched.contains(Notifier.ATTEMPT_STARTED)) {
      notifier.wakeLocal(Notifier.ATTEMPT_STARTED);
    }
    var ids = new ArrayList<Long>(watched.size());
    for (long id : watched) {
      if (id != Notifier.ATTEMPT_STARTED) {
        ids.add(id);
      }
    }
    if (ids.isEmpty()) {
      return;
    }
    var now = new HashMap<Long, String>();
    try (var c = pool.getConnection();
        var ps = c.prepareStatement(VERSIONS)) {
      ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          now.put(rs.getLong(1), rs.getString(2));
        }
      }
    }
    for (long id : ids) {
      String version = now.get(id);
      if (!versions.containsKey(id) || !Objects.equals(versions.get(id), version)) {
        notifier.wakeLocal(id);
      }
      versions.put(id, version);
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
