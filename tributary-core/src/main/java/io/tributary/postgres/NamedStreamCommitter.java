package io.tributary.postgres;

import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.UnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for named-stream (Durable Streams) appends: appends that arrive while a batch is in
 * flight go out together in the next one, as one call of {@code tb_ds_append_batch}: one
 * transaction, one WAL flush, one notification. A lone writer sees no added latency (its batch
 * holds just its own append).
 *
 * <p>Each committer thread owns a share of the paths (by hash), so one stream's appends are sent,
 * and committed, in the order they were queued. Inside a batch the function applies the appends one
 * after the other, each with its own producer and Stream-Seq checks; a refused append writes
 * nothing and does not affect its neighbours. Should the statement itself fail (an SQL error, not a
 * refusal), every append of the batch is retried on its own, so one bad append cannot fail others.
 *
 * <p>Outages follow the attempt-stream committer: an append has a deadline of {@link
 * io.tributary.api.StoreConfig#dbTimeout()} from when it was queued; a reaper fails appends still
 * waiting at their deadline ("not stored"), and an append already sent waits for the statement's
 * real outcome.
 */
final class NamedStreamCommitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NamedStreamCommitter.class);

  /** Committer threads: two keep one batch committing while the next one is gathered. */
  static final int COMMITTERS = 2;

  /** Appends waiting per committer; producers wait (up to their deadline) beyond this. */
  static final int QUEUE_CAPACITY = 16_384;

  /** Payload bytes one batch gathers at most (a single larger append still goes alone). */
  static final long MAX_BATCH_BYTES = 4L << 20;

  /** How often the reaper looks for appends past their deadline: the slack of the deadline. */
  static final long REAP_INTERVAL_MS = 50;

  /** Longest a batch waits to grow back to the size of the one before it (see {@code linger}). */
  static final long LINGER_NANOS = 1_000_000;

  private static final String APPEND_BATCH =
      "SELECT r_ord, r_status, r_id, r_next_pos, r_closed, r_epoch, r_seq"
          + " FROM tb_ds_append_batch(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Database db;
  private final long timeoutNanos;
  private final int maxBatch;
  private final List<LinkedBlockingQueue<NamedAppendRequest>> queues = new ArrayList<>();
  /** Per committer: the batch it is getting a connection for (claimed items are skipped). */
  private final AtomicReferenceArray<List<NamedAppendRequest>> pending;
  private final List<Thread> workers = new ArrayList<>();
  private final Thread reaper;
  private volatile boolean running = true;

  NamedStreamCommitter(Database db, int committers) {
    this.db = db;
    this.timeoutNanos = db.config().dbTimeout().toNanos();
    this.maxBatch = db.config().maxBatch();
    this.pending = new AtomicReferenceArray<>(committers);
    for (int i = 0; i < committers; i++) {
      var queue = new LinkedBlockingQueue<NamedAppendRequest>(QUEUE_CAPACITY);
      queues.add(queue);
      int index = i;
      var t =
          Thread.ofPlatform()
              .daemon()
              .name("tributary-named-committer-" + i)
              .unstarted(() -> run(index, queue));
      workers.add(t);
      t.start();
    }
    reaper =
        Thread.ofPlatform().daemon().name("tributary-named-append-reaper").unstarted(this::reap);
    reaper.start();
  }

  /** The deadline an append queued now gets. */
  long deadlineFromNow() {
    return System.nanoTime() + timeoutNanos;
  }

  /**
   * Queues an append on the committer that owns its path. While that queue is full it waits, at
   * most until the append's deadline; then the append fails (not stored).
   */
  void submit(NamedAppendRequest r) throws InterruptedException {
    if (!running) {
      throw new UnavailableException("store is closed", false, null);
    }
    var queue = queues.get(Math.floorMod(r.path().hashCode(), queues.size()));
    if (!queue.offer(r, r.deadlineNanos() - System.nanoTime(), TimeUnit.NANOSECONDS)) {
      r.expire(notStored("the append queue stayed full"));
    }
  }

  private void run(int index, LinkedBlockingQueue<NamedAppendRequest> queue) {
    var batch = new ArrayList<NamedAppendRequest>(maxBatch);
    int expected = 1;
    while (running || !queue.isEmpty()) {
      try {
        var first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        long bytes = gather(queue, batch, bytesOf(first));
        bytes = linger(queue, batch, bytes, expected);
        expected = batch.size();
        pending.set(index, List.copyOf(batch));
        commit(batch);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      } catch (RuntimeException e) {
        log.error("named-stream append batch failed", e);
        batch.forEach(r -> r.result().completeExceptionally(e));
      } finally {
        pending.set(index, null);
        batch.clear();
      }
    }
  }

  /**
   * Adds what is queued behind the first append, up to the count and byte limits.
   *
   * @return the batch's payload bytes
   */
  private long gather(
      LinkedBlockingQueue<NamedAppendRequest> queue, List<NamedAppendRequest> batch, long bytes) {
    // this thread is the queue's only consumer, so what it peeks is what it polls
    while (batch.size() < maxBatch) {
      var next = queue.peek();
      if (next == null || bytes + bytesOf(next) > MAX_BATCH_BYTES) {
        return bytes;
      }
      bytes += bytesOf(next);
      batch.add(queue.poll());
    }
    return bytes;
  }

  /**
   * While the batch is smaller than the previous one, waits up to {@link #LINGER_NANOS} for the
   * rest. Why: the writers of the last batch were all answered at once and come back with their
   * next appends a round trip later; without the wait the first of them would go out alone and
   * the others would queue behind its commit (a WAL flush), halving the batches under load. A lone
   * writer (previous batch of one) never waits.
   */
  private long linger(
      LinkedBlockingQueue<NamedAppendRequest> queue, List<NamedAppendRequest> batch, long bytes,
      int expected) throws InterruptedException {
    long until = System.nanoTime() + LINGER_NANOS;
    while (batch.size() < Math.min(expected, maxBatch)) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return bytes;
      }
      var next = queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        return bytes;
      }
      batch.add(next);
      bytes += bytesOf(next);
      if (bytes >= MAX_BATCH_BYTES) {
        return bytes;
      }
      bytes = gather(queue, batch, bytes);
    }
    return bytes;
  }

  private static long bytesOf(NamedAppendRequest r) {
    long n = 0;
    for (var m : r.append().messages()) {
      n += m.length;
    }
    return n;
  }

  /** Gets a connection, claims what has not expired meanwhile, and sends that. */
  private void commit(List<NamedAppendRequest> batch) {
    long now = System.nanoTime();
    for (var r : batch) {
      if (r.isOverdue(now)) {
        r.expire(overdue());
      }
    }
    if (batch.stream().allMatch(r -> r.result().isDone())) {
      return;
    }
    Connection c;
    try {
      c = db.dataSource().getConnection();
    } catch (SQLException e) {
      var ex = notStored("no database connection (" + e.getMessage() + ")");
      batch.forEach(r -> r.expire(ex));
      return;
    }
    try (c) {
      var claimed = new ArrayList<NamedAppendRequest>(batch.size());
      for (var r : batch) {
        if (r.claim()) {
          claimed.add(r);
        }
      }
      if (!claimed.isEmpty()) {
        execute(c, claimed);
      }
    } catch (SQLException e) {
      log.debug("could not return an append connection: {}", e.getMessage());
    }
  }

  /** Sends claimed appends as one statement and hands out each one's outcome. */
  private void execute(Connection c, List<NamedAppendRequest> batch) {
    int n = batch.size();
    var results = new NamedStreamAppendResult[n];
    var woken = new LinkedHashSet<Long>();
    try (var ps = prepare(c, batch)) {
      c.setAutoCommit(true);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt(1);
          var status =
              NamedStreamAppendResult.Status.valueOf(rs.getString(2).toUpperCase(Locale.ROOT));
          if (status == NamedStreamAppendResult.Status.APPENDED) {
            woken.add(rs.getLong(3));
          }
          results[i] =
              new NamedStreamAppendResult(
                  status, rs.getLong(4), rs.getBoolean(5), getLong(rs, 6), getLong(rs, 7));
        }
      }
    } catch (SQLException e) {
      if (n > 1 && !isConnectionFailure(e) && !CommitFailure.outcomeUnknown(e)) {
        // the batch rolled back as a whole: retry each append on its own, in order
        for (var r : batch) {
          execute(c, List.of(r));
        }
        return;
      }
      RuntimeException ex;
      if (CommitFailure.outcomeUnknown(e)) {
        ex =
            new UnavailableException(
                "the database connection broke while appending to named stream "
                    + batch.getFirst().path() + "; " + CommitFailure.OUTCOME_UNKNOWN
                    + " (retry with producer headers to append once): " + e.getMessage(),
                true,
                e);
      } else {
        ex = notStored("the database refused the append (" + e.getMessage() + ")");
      }
      batch.forEach(r -> r.result().completeExceptionally(ex));
      return;
    }
    // committed (autocommit): wake this process's readers first, so their reads run while the
    // writers' answers go out
    woken.forEach(db.notifier()::wakeLocal);
    for (int i = 0; i < n; i++) {
      if (results[i] == null) {
        batch.get(i).result().completeExceptionally(new IllegalStateException("no result for append"));
      } else {
        batch.get(i).result().complete(results[i]);
      }
    }
  }

  private PreparedStatement prepare(Connection c, List<NamedAppendRequest> batch)
      throws SQLException {
    int n = batch.size();
    var paths = new String[n];
    var media = new String[n];
    var counts = new Integer[n];
    var closes = new Boolean[n];
    var seqs = new String[n];
    var producers = new String[n];
    var epochs = new Long[n];
    var producerSeqs = new Long[n];
    var messages = new ArrayList<byte[]>(n);
    for (int i = 0; i < n; i++) {
      var a = batch.get(i).append();
      paths[i] = batch.get(i).path();
      media[i] = NamedStreamInfo.mediaTypeOf(a.contentType());
      counts[i] = a.messages().size();
      messages.addAll(a.messages());
      closes[i] = a.close();
      seqs[i] = a.streamSeq();
      var p = a.producer();
      producers[i] = p == null ? null : p.id();
      epochs[i] = p == null ? null : p.epoch();
      producerSeqs[i] = p == null ? null : p.seq();
    }
    var ps = c.prepareStatement(APPEND_BATCH);
    try {
      ps.setArray(1, c.createArrayOf("text", paths));
      var now = db.sqlNowMs();
      if (now == null) {
        ps.setNull(2, Types.BIGINT);
      } else {
        ps.setLong(2, now);
      }
      ps.setArray(3, c.createArrayOf("text", media));
      ps.setArray(4, c.createArrayOf("int4", counts));
      ps.setArray(5, c.createArrayOf("bytea", messages.toArray(byte[][]::new)));
      ps.setArray(6, c.createArrayOf("bool", closes));
      ps.setArray(7, c.createArrayOf("text", seqs));
      ps.setArray(8, c.createArrayOf("text", producers));
      ps.setArray(9, c.createArrayOf("int8", epochs));
      ps.setArray(10, c.createArrayOf("int8", producerSeqs));
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  private static Long getLong(java.sql.ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }

  /** Fails queued appends whose deadline passed; runs until the committer closes. */
  private void reap() {
    while (running) {
      try {
        Thread.sleep(REAP_INTERVAL_MS);
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
      }
      long now = System.nanoTime();
      for (int i = 0; i < queues.size(); i++) {
        var waiting = pending.get(i);
        if (waiting != null) {
          for (var r : waiting) {
            if (r.isOverdue(now)) {
              r.expire(overdue());
            }
          }
        }
        for (var r : queues.get(i)) {
          if (!r.isOverdue(now)) {
            break;
          }
          r.expire(overdue());
        }
      }
    }
  }

  private UnavailableException overdue() {
    return notStored(
        "the database did not take the append within " + db.config().dbTimeout().toMillis() + " ms");
  }

  private static UnavailableException notStored(String why) {
    return new UnavailableException(why + "; the append was not stored, retry it", true, null);
  }

  /** No connection, or PostgreSQL ending sessions (class 57): every item would fail alike. */
  private static boolean isConnectionFailure(SQLException e) {
    return e instanceof java.sql.SQLTransientConnectionException
        || (e.getSQLState() != null && e.getSQLState().startsWith("57"));
  }

  /** Stops taking appends; what is queued is still committed (bounded by the join timeout). */
  @Override
  public void close() {
    running = false;
    reaper.interrupt();
    for (var t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
