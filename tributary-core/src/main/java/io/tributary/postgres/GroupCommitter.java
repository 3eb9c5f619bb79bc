package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import io.tributary.api.ConflictException;
import io.tributary.api.EntryId;
import io.tributary.api.NotFoundException;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers concurrent appends into one transaction (group commit).
 *
 * <p>Why: a commit costs a WAL flush and, with a NOTIFY, takes a cluster-wide lock held until the
 * flush is done, so notifying commits serialise. Appends that arrive while a batch is in flight
 * queue up and go out together in the next one: one statement, one flush, one notification for
 * the whole batch. A single writer sees no added latency (its batch holds just its own append);
 * under load the batch grows by itself, also when one producer keeps many appends in flight
 * ({@code appendAsync}). A few committer threads keep more than one batch in flight, which hides
 * the round trip; each owns a share of the streams, so a stream's appends keep their order.
 */
final class GroupCommitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /** Appends waiting per committer; producers block beyond this (backpressure). */
  static final int QUEUE_CAPACITY = 16_384;

  private final Database db;
  private final List<LinkedBlockingQueue<AppendRequest>> queues = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  GroupCommitter(Database db, int committers) {
    this.db = db;
    for (int i = 0; i < committers; i++) {
      var queue = new LinkedBlockingQueue<AppendRequest>(QUEUE_CAPACITY);
      queues.add(queue);
      var t =
          Thread.ofPlatform()
              .daemon()
              .name("tributary-committer-" + i)
              .unstarted(() -> run(queue));
      workers.add(t);
      t.start();
    }
  }

  /**
   * Queues an append on the committer that owns its stream, so one stream's appends commit in
   * submission order. Blocks while that committer's queue is full.
   */
  void submit(AppendRequest r) throws InterruptedException {
    if (!running) {
      throw new UnavailableException("store is closed", false, null);
    }
    var eid = r.handle().executionId();
    int hash = 31 * (31 * eid.uuid().hashCode() + eid.partition()) + Long.hashCode(r.handle().attemptIndex());
    queues.get(Math.floorMod(hash, queues.size())).put(r);
  }

  private void run(LinkedBlockingQueue<AppendRequest> queue) {
    int max = db.config().maxBatch();
    var batch = new ArrayList<AppendRequest>(max);
    while (running || !queue.isEmpty()) {
      try {
        var first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, max - 1);
        execute(batch);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      } catch (RuntimeException e) {
        log.error("append batch failed", e);
        batch.forEach(r -> r.result().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
  }

  private void execute(List<AppendRequest> batch) {
    batch.sort(AppendRequest::lockOrder);
    int n = batch.size();
    var ord = new Integer[n];
    var eids = new UUID[n];
    var partitions = new Integer[n];
    var attempts = new Long[n];
    var leases = new UUID[n];
    var epochs = new Long[n];
    var modes = new Short[n];
    var types = new String[n];
    var payloads = new byte[n][];
    var correlations = new String[n];
    var ttls = new Long[n];
    var floors = new Long[n];
    var ceilings = new Long[n];
    var alphas = new Double[n];
    String[] keys = null;
    byte[][] fingerprints = null;
    for (int i = 0; i < n; i++) {
      var r = batch.get(i);
      ord[i] = i;
      eids[i] = r.handle().executionId().uuid();
      partitions[i] = r.handle().executionId().partition();
      attempts[i] = r.handle().attemptIndex();
      leases[i] = r.handle().leaseId();
      epochs[i] = r.handle().leaseEpoch();
      modes[i] = r.mode();
      types[i] = r.frameType();
      payloads[i] = r.payload();
      correlations[i] = r.correlationId();
      var be = r.bestEffort();
      ttls[i] = be == null ? 0L : be.ttlMs();
      floors[i] = be == null ? 0L : be.maxlenFloor();
      ceilings[i] = be == null ? 0L : be.maxlenCeiling();
      alphas[i] = be == null ? 0.0 : be.emaAlpha();
      if (r.idempotencyKey() != null) {
        // only batches with a named append ship the key arrays; unnamed ones send two nulls
        if (keys == null) {
          keys = new String[n];
          fingerprints = new byte[n][];
        }
        keys[i] = r.idempotencyKey();
        fingerprints[i] = r.fingerprint();
      }
    }
    var touched = new ArrayList<Long>();
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement(AttemptStreamSql.APPEND_BATCH)) {
      c.setAutoCommit(true);
      ps.setArray(1, c.createArrayOf("int4", ord));
      ps.setArray(2, c.createArrayOf("uuid", eids));
      ps.setArray(3, c.createArrayOf("int4", partitions));
      ps.setArray(4, c.createArrayOf("int8", attempts));
      ps.setArray(5, c.createArrayOf("uuid", leases));
      ps.setArray(6, c.createArrayOf("int8", epochs));
      ps.setArray(7, c.createArrayOf("int2", modes));
      ps.setArray(8, c.createArrayOf("text", types));
      ps.setArray(9, c.createArrayOf("bytea", payloads));
      ps.setArray(10, c.createArrayOf("text", correlations));
      ps.setArray(11, c.createArrayOf("int8", ttls));
      ps.setArray(12, c.createArrayOf("int8", floors));
      ps.setArray(13, c.createArrayOf("int8", ceilings));
      ps.setArray(14, c.createArrayOf("float8", alphas));
      ps.setLong(15, db.config().durableRetention());
      ps.setLong(16, db.config().summaryRetention());
      var now = db.sqlNowMs();
      if (now == null) {
        ps.setNull(17, Types.BIGINT);
      } else {
        ps.setLong(17, now);
      }
      if (keys == null) {
        ps.setNull(18, Types.ARRAY);
        ps.setNull(19, Types.ARRAY);
      } else {
        ps.setArray(18, c.createArrayOf("text", keys));
        ps.setArray(19, c.createArrayOf("bytea", fingerprints));
      }
      ps.setLong(20, db.config().appendKeyWindow());
      var outcomes = new Object[n];
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt(1);
          int status = rs.getInt(2);
          if (status == 0) {
            long sv = rs.getLong(5);
            Long summaryVersion = rs.wasNull() ? null : sv;
            boolean replayed = rs.getBoolean(8);
            outcomes[i] =
                new AppendOutcome(
                    EntryId.ofPosition(rs.getLong(3)), rs.getLong(4), summaryVersion, replayed);
            if (!replayed) {
              touched.add(rs.getLong(7));
            }
          } else if (status == 6) {
            outcomes[i] = keyReused(batch.get(i), rs.getLong(3));
          } else {
            outcomes[i] = failure(status, rs.getString(6));
          }
        }
      }
      // the batch is committed (autocommit): hand out results, then wake local readers at once
      for (int i = 0; i < n; i++) {
        var r = batch.get(i);
        if (outcomes[i] instanceof AppendOutcome o) {
          r.result().complete(o);
        } else if (outcomes[i] instanceof RuntimeException e) {
          r.result().completeExceptionally(e);
        } else {
          r.result().completeExceptionally(new IllegalStateException("no result for append"));
        }
      }
      touched.stream().distinct().forEach(db.notifier()::wakeLocal);
    } catch (SQLException e) {
      if (n > 1 && !isConnectionFailure(e)) {
        // one bad item must not fail its neighbours: retry each on its own
        for (var r : List.copyOf(batch)) {
          execute(new ArrayList<>(List.of(r)));
        }
        return;
      }
      RuntimeException ex =
          isDataError(e)
              ? new ValidationException(
                  ValidationKind.INVALID_INPUT, "the database rejected the frame: " + e.getMessage())
              : new UnavailableException("append failed: " + e.getMessage(), true, e);
      batch.forEach(r -> r.result().completeExceptionally(ex));
    }
  }

  /**
   * No connection (pool timeout, SQLSTATE class 08): every item would fail the same way, so the
   * batch fails at once instead of waiting out the pool once per item.
   */
  private static boolean isConnectionFailure(SQLException e) {
    return e instanceof java.sql.SQLTransientConnectionException
        || (e.getSQLState() != null && e.getSQLState().startsWith("08"));
  }

  /** SQLSTATE class 22 (data exception): retrying the same append can never succeed. */
  private static boolean isDataError(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("22");
  }

  private static RuntimeException failure(int status, String detail) {
    return switch (status) {
      case 1 -> new StaleOwnerException("lease is not current for this attempt" + why(detail));
      case 2 -> new StreamClosedException(detail);
      case 3 -> new StaleOwnerException("no such attempt: the handle names an unknown attempt");
      case 4 -> new ValidationException(ValidationKind.INVALID_INPUT, detail);
      default -> new NotFoundException("unexpected append status " + status);
    };
  }

  private static ConflictException keyReused(AppendRequest r, long firstPos) {
    return new ConflictException(
        ConflictException.IDEMPOTENCY_KEY_REUSED,
        "idempotency key '"
            + r.idempotencyKey()
            + "' already named a different append to this attempt (frame "
            + EntryId.ofPosition(firstPos)
            + "); a retry must repeat the same frame, a new frame needs a new key");
  }

  private static String why(String closedReason) {
    return closedReason == null ? "" : " (attempt closed: " + closedReason + ")";
  }

  @Override
  public void close() {
    running = false;
    for (var t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
