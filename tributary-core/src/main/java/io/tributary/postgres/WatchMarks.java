package io.tributary.postgres;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's watch marks on streams (attempt and named) (see {@code V1__streams.sql}, {@code R__attempt_functions.sql}): appends
 * notify only streams whose row carries a live mark, so a reader must mark its stream before its
 * first query and keep the mark alive while it stays parked.
 *
 * <p>A mark is a lease of {@link #LEASE_MS} on the database's clock. {@link #ensure} writes it
 * when this process holds none for the stream or when less than half of it is left; the {@link
 * StreamRechecker} renews the marks of streams that still have parked readers and forgets the
 * others. A failed write (database away) is not an error: the reader's query fails the same way,
 * and the next renewal writes the mark once the database is back.
 */
final class WatchMarks {
  /** How long one mark keeps appends notifying; renewed at half-life while readers stay. */
  static final long LEASE_MS = 60_000;

  private static final Logger log = LoggerFactory.getLogger(WatchMarks.class);
  private static final String MARK = "SELECT tb_watch_streams(?, ?)";
  private static final long RENEW_BEFORE_NANOS = LEASE_MS / 2 * 1_000_000;

  private final DataSource pool;
  /** Stream id to the {@link System#nanoTime()} after which this process's mark may be gone. */
  private final ConcurrentHashMap<Long, Long> validUntil = new ConcurrentHashMap<>();

  WatchMarks(DataSource pool) {
    this.pool = pool;
  }

  /**
   * Makes sure the stream carries a live mark, writing one when needed; ids {@code <= 0} (the
   * attempt-started key) are ignored, attempt starts always notify.
   *
   * @return false when the mark could not be written (the database is away)
   */
  boolean ensure(long streamId) {
    if (streamId <= 0) {
      return true;
    }
    Long until = validUntil.get(streamId);
    if (until != null && until - System.nanoTime() > RENEW_BEFORE_NANOS) {
      return true;
    }
    return mark(java.util.List.of(streamId));
  }

  /**
   * Renews the marks of {@code watched} that are due and forgets marks of streams nobody waits on
   * any more (their leases run out by themselves).
   */
  void renew(Collection<Long> watched) {
    validUntil.keySet().retainAll(watched);
    long now = System.nanoTime();
    var due = new ArrayList<Long>();
    for (long id : watched) {
      Long until = validUntil.get(id);
      if (id > 0 && (until == null || until - now <= RENEW_BEFORE_NANOS)) {
        due.add(id);
      }
    }
    if (!due.isEmpty()) {
      mark(due);
    }
  }

  private boolean mark(java.util.List<Long> ids) {
    long start = System.nanoTime();
    try (var c = pool.getConnection();
        var ps = c.prepareStatement(MARK)) {
      ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      ps.setLong(2, LEASE_MS);
      ps.execute();
    } catch (SQLException e) {
      log.debug("could not mark streams {} as watched: {}", ids, e.getMessage());
      return false;
    }
    // measured from before the write: the database's lease started later, so it lasts longer
    long until = start + LEASE_MS * 1_000_000;
    ids.forEach(id -> validUntil.put(id, until));
    return true;
  }
}
