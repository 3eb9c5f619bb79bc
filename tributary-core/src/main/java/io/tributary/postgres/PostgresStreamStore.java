package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import io.tributary.api.AttemptRef;
import io.tributary.api.AttemptStreamRules;
import io.tributary.api.CloseReason;
import io.tributary.api.ConflictException;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.HandleCodec;
import io.tributary.api.NotFoundException;
import io.tributary.api.PatchKind;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamFrame;
import io.tributary.api.StreamFrames;
import io.tributary.api.StreamHead;
import io.tributary.api.StreamStore;
import io.tributary.api.SummaryDocument;
import io.tributary.api.TailOptions;
import io.tributary.api.TailVisibility;
import io.tributary.api.TributaryException;
import io.tributary.api.UnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The attempt-stream store on PostgreSQL.
 *
 * <p>Appends are checked by {@link AttemptStreamRules}, then group-committed by {@link GroupCommitter} through one
 * server-side function call per batch. Reads are one query. A tail registers with the {@link
 * Notifier} before its first query and parks without a connection until a notification, its
 * re-check interval or its deadline.
 */
public final class PostgresStreamStore implements StreamStore {
  /**
   * Committer threads. Each owns a share of the streams (by hash), so the appends of one stream
   * always commit in order, while two batches in flight hide one round trip behind the other.
   */
  static final int COMMITTERS = 2;

  /** FlowFabric's backend tag for PostgreSQL, carried by every handle this store mints. */
  static final int HANDLE_TAG = 0x02;

  private static final HandleCodec HANDLES = HandleCodec.forBackendTag(HANDLE_TAG);
  private static final short NO_MODE = -1;
  private static final String[] MODE_WIRE = {"durable", "summary", "best_effort"};
  /** Bounds {@link #tailedStreams}. */
  private static final int MAX_TAILED_STREAMS = 65_536;
  /** The frame count of a tail's placeholder before its first read: matches no handed frames. */
  private static final long NOT_READ = -1;

  private final Database db;
  private final boolean ownsDatabase;
  private final GroupCommitter<AppendRequest> committer;

  /**
   * Stream ids of the attempts tailed here with a wait (an attempt's stream id never changes): a
   * tail of one of them registers before its first read, so that one read does for two.
   */
  private final java.util.concurrent.ConcurrentHashMap<AttemptRef, Long> tailedStreams =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A store on a shared database; closing the store leaves the database open. */
  public PostgresStreamStore(Database db) {
    this(db, false);
  }

  private PostgresStreamStore(Database db, boolean ownsDatabase) {
    this.db = db;
    this.ownsDatabase = ownsDatabase;
    this.committer = new GroupCommitter<>(db, COMMITTERS, new AttemptBatchWriter(db));
  }

  /** Opens a database (pool, migrations, listener) and a store that owns it. */
  public static PostgresStreamStore open(StoreConfig config) {
    return new PostgresStreamStore(Database.open(config), true);
  }

  public Database database() {
    return db;
  }

  // ---------------------------------------------------------------- attempts and leases

  @Override
  public HandleCodec handles() {
    return HANDLES;
  }

  @Override
  public Handle startAttempt(ExecutionId executionId, Duration leaseTtl) {
    return start(executionId, leaseTtl, false);
  }

  @Override
  public Handle reclaim(ExecutionId executionId, Duration leaseTtl) {
    return start(executionId, leaseTtl, true);
  }

  private Handle start(ExecutionId eid, Duration leaseTtl, boolean reclaim) {
    long ttl = AttemptStreamRules.leaseTtlMs(leaseTtl);
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement(AttemptStreamSql.START_ATTEMPT)) {
      ps.setObject(1, eid.uuid());
      ps.setInt(2, eid.partition());
      ps.setLong(3, ttl);
      ps.setBoolean(4, reclaim);
      db.bindNow(ps, 5);
      try (var rs = ps.executeQuery()) {
        rs.next();
        var status = AttemptStatus.of(rs.getInt(1));
        if (status == AttemptStatus.NO_SUCH_ATTEMPT) {
          throw new NotFoundException("execution " + eid + " has no attempt to reclaim");
        }
        if (status == AttemptStatus.CONFLICT) {
          throw new ConflictException(
              "attempt "
                  + rs.getLong(2)
                  + " of "
                  + eid
                  + " is still open under a valid lease; reclaim it or wait for the lease to expire");
        }
        return new Handle(
            eid,
            rs.getLong(2),
            rs.getObject(3, UUID.class),
            rs.getObject(4, UUID.class),
            rs.getLong(5),
            ttl,
            rs.getLong(6),
            "",
            "");
      } finally {
        db.notifier().wakeLocal(Notifier.ATTEMPT_STARTED);
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public Handle renewLease(Handle handle, Duration leaseTtl) {
    long ttl = AttemptStreamRules.leaseTtlMs(leaseTtl);
    long expiresAt = leaseStep(handle, ttl, null);
    return new Handle(
        handle.executionId(),
        handle.attemptIndex(),
        handle.attemptId(),
        handle.leaseId(),
        handle.leaseEpoch(),
        ttl,
        expiresAt,
        handle.laneId(),
        handle.workerInstanceId());
  }

  @Override
  public void closeAttempt(Handle handle, CloseReason reason) {
    AttemptStreamRules.checkCloseReason(reason);
    leaseStep(handle, 0, reason.wire());
  }

  private long leaseStep(Handle h, long ttl, String closeReason) {
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement(AttemptStreamSql.LEASE_STEP)) {
      ps.setObject(1, h.executionId().uuid());
      ps.setInt(2, h.executionId().partition());
      ps.setLong(3, h.attemptIndex());
      ps.setObject(4, h.leaseId());
      ps.setLong(5, h.leaseEpoch());
      ps.setLong(6, ttl);
      ps.setString(7, closeReason);
      db.bindNow(ps, 8);
      try (var rs = ps.executeQuery()) {
        rs.next();
        var status = AttemptStatus.of(rs.getInt(1));
        String reason = rs.getString(3);
        switch (status) {
          case OK -> {
            return rs.getLong(2);
          }
          case STREAM_CLOSED -> throw new StreamClosedException(reason);
          case NO_SUCH_ATTEMPT -> throw new StaleOwnerException("no such attempt: " + h.executionId() + "/" + h.attemptIndex());
          default ->
              throw new StaleOwnerException(
                  "lease is not current for this attempt"
                      + (reason == null ? "" : " (attempt closed: " + reason + ")"));
        }
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public int expireLeases() {
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement(AttemptStreamSql.EXPIRE_LEASES)) {
      db.bindNow(ps, 1);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  // ---------------------------------------------------------------- frames

  @Override
  public AppendOutcome append(Handle handle, Frame frame) {
    try {
      var request =
          AppendRequest.of(
              handle, frame, AttemptStreamRules.checkedPayload(handle, frame, db.config().maxPayloadBytes()), committer.deadlineFromNow());
      // the caller waits anyway: it commits the append itself when its stripe is idle
      committer.commitOrSubmit(request);
      return request.result().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TributaryException te) {
        throw te;
      }
      throw new UnavailableException("append failed: " + e.getCause(), true, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while appending", true, e);
    }
  }

  @Override
  public CompletableFuture<AppendOutcome> appendAsync(Handle handle, Frame frame) {
    try {
      var request =
          AppendRequest.of(
              handle, frame, AttemptStreamRules.checkedPayload(handle, frame, db.config().maxPayloadBytes()), committer.deadlineFromNow());
      committer.submit(request);
      return request.result();
    } catch (TributaryException e) {
      return CompletableFuture.failedFuture(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(
          new UnavailableException("interrupted while queueing an append", true, e));
    }
  }

  @Override
  public java.util.List<AppendOutcome> appendAll(Handle handle, java.util.List<Frame> frames) {
    var payloads = AttemptStreamRules.checkedPayloads(handle, frames, db.config().maxPayloadBytes());
    var requests = new java.util.ArrayList<AppendRequest>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      // one transaction of its own, not queued: the deadline only bounds the wait for a connection
      requests.add(AppendRequest.of(handle, frames.get(i), payloads.get(i), committer.deadlineFromNow()));
    }
    return new AtomicAppend(db).execute(requests);
  }

  @Override
  public StreamFrames read(
      ExecutionId executionId, long attemptIndex, StreamCursor from, StreamCursor to, int limit) {
    AttemptStreamRules.checkLimit(limit);
    long lo =
        switch (from) {
          case StreamCursor.Start s -> 0;
          case StreamCursor.End e -> Long.MAX_VALUE;
          case StreamCursor.At at -> Positions.lower(at);
        };
    long hi =
        switch (to) {
          case StreamCursor.Start s -> -1;
          case StreamCursor.End e -> Long.MAX_VALUE;
          case StreamCursor.At at -> Positions.upper(at);
        };
    return query(executionId, attemptIndex, lo, hi, limit, NO_MODE).frames();
  }

  @Override
  public StreamFrames tail(AttemptRef attempt, StreamCursor after, TailOptions options) {
    var at = AttemptStreamRules.checkTail(after, options.block(), options.limit());
    ExecutionId executionId = attempt.executionId();
    long attemptIndex = attempt.attemptIndex();
    long blockMs = options.block().toMillis();
    int limit = options.limit();
    TailVisibility visibility = options.visibility();
    short skipMode = visibility == TailVisibility.EXCLUDE_BEST_EFFORT ? AppendRequest.BEST_EFFORT : NO_MODE;
    long lo = Positions.after(at);
    long deadline = System.nanoTime() + blockMs * 1_000_000;
    Long known = blockMs == 0 ? null : tailedStreams.get(attempt);
    Queried result;
    if (known != null) {
      // a stream tailed here before (a feed's next wait): register on it first, so that one query
      // is both the first read and the re-query after registering; a stale id re-registers
      result = new Queried(known, NOT_READ, StreamFrames.empty());
    } else {
      result = query(executionId, attemptIndex, lo, Long.MAX_VALUE, limit, skipMode);
      if (blockMs == 0 || hasNews(result)) {
        return result.frames();
      }
      remember(attempt, result);
    }
    // park on the stream, or on attempt starts while the attempt does not exist yet
    var seen = new Queried[] {result};
    try {
      return ParkedRead.park(
              db.notifier(),
              result,
              PostgresStreamStore::waitKey,
              // appends notify only marked streams: mark before every re-query
              key -> db.watchMarks().ensure(key),
              handed -> {
                // plain durable frames this process just committed, nothing else appended since
                // the last read: they are what the read would return, so answer with them
                var committed =
                    handed instanceof CommittedAttemptFrames cf
                        ? cf.readFor(seen[0].streamId(), seen[0].frameCount(), lo, limit)
                        : null;
                if (committed != null) {
                  return new Queried(seen[0].streamId(), seen[0].frameCount() + committed.frames().size(), committed);
                }
                try {
                  seen[0] = query(executionId, attemptIndex, lo, Long.MAX_VALUE, limit, skipMode);
                } catch (UnavailableException e) {
                  if (seen[0].frameCount() == NOT_READ) {
                    // no read has answered yet: fail as the first read of a tail always did
                    throw new FirstReadFailed(e);
                  }
                  throw e;
                }
                remember(attempt, seen[0]);
                return seen[0];
              },
              PostgresStreamStore::hasNews,
              deadline)
          .frames();
    } catch (FirstReadFailed e) {
      throw e.failure;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while tailing", true, e);
    }
  }

  private void remember(AttemptRef attempt, Queried q) {
    if (q.streamId() <= 0) {
      return;
    }
    if (tailedStreams.size() >= MAX_TAILED_STREAMS) {
      // a bound, not a cache policy: forgetting costs one query per tail, never a wake
      tailedStreams.clear();
    }
    tailedStreams.put(attempt, q.streamId());
  }

  /** The first read of a tail that registered before reading failed: the tail fails with it. */
  private static final class FirstReadFailed extends RuntimeException {
    private final UnavailableException failure;

    FirstReadFailed(UnavailableException failure) {
      super(null, failure, false, false);
      this.failure = failure;
    }
  }

  private static boolean hasNews(Queried q) {
    return !q.frames().frames().isEmpty() || q.frames().isClosed();
  }

  private static long waitKey(Queried q) {
    return q.streamId() > 0 ? q.streamId() : Notifier.ATTEMPT_STARTED;
  }

  @Override
  public Optional<StreamHead> head(ExecutionId executionId, long attemptIndex) {
    return queryOne(
        AttemptStreamSql.HEAD,
        executionId,
        attemptIndex,
        rs -> {
          long closedAtMs = rs.getLong(5);
          Long closedAt = rs.wasNull() ? null : closedAtMs; // wasNull() refers to the last column read
          return new StreamHead(
              Positions.toId(rs.getLong(1)),
              rs.getLong(2),
              rs.getLong(3),
              rs.getLong(4),
              closedAt,
              rs.getString(6));
        });
  }

  @Override
  public Optional<SummaryDocument> readSummary(ExecutionId executionId, long attemptIndex) {
    return queryOne(
        AttemptStreamSql.READ_SUMMARY,
        executionId,
        attemptIndex,
        rs ->
            new SummaryDocument(
                rs.getString(1),
                rs.getLong(2),
                PatchKind.JSON_MERGE_PATCH,
                rs.getLong(4),
                rs.getLong(3)));
  }

  /** A row of one attempt stream's state. */
  private interface Row<T> {
    T read(java.sql.ResultSet rs) throws SQLException;
  }

  /** Runs a query keyed by (execution, attempt) that returns at most one row. */
  private <T> Optional<T> queryOne(String sql, ExecutionId executionId, long attemptIndex, Row<T> row) {
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement(sql)) {
      ps.setObject(1, executionId.uuid());
      ps.setInt(2, executionId.partition());
      ps.setLong(3, attemptIndex);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /**
   * Frames plus the stream id (0 when the attempt does not exist) and its lifetime frame count in
   * the same snapshot.
   */
  private record Queried(long streamId, long frameCount, StreamFrames frames) {}

  private Queried query(
      ExecutionId eid, long attemptIndex, long lo, long hi, int limit, short skipMode) {
    try (Connection c = db.dataSource().getConnection();
        var ps = c.prepareStatement(AttemptStreamSql.READ_RANGE)) {
      ps.setLong(1, lo);
      ps.setLong(2, hi);
      ps.setShort(3, skipMode);
      ps.setLong(4, db.nowMs());
      ps.setInt(5, limit);
      ps.setObject(6, eid.uuid());
      ps.setInt(7, eid.partition());
      ps.setLong(8, attemptIndex);
      try (var rs = ps.executeQuery()) {
        long streamId = 0;
        Long closedAt = null;
        String closedReason = null;
        long trimmedPos = 0;
        long frameCount = 0;
        var frames = new ArrayList<StreamFrame>();
        while (rs.next()) {
          streamId = rs.getLong(1);
          long ca = rs.getLong(2);
          closedAt = rs.wasNull() ? null : ca;
          closedReason = rs.getString(3);
          trimmedPos = rs.getLong(12);
          frameCount = rs.getLong(13);
          long pos = rs.getLong(4);
          if (rs.wasNull()) {
            continue;
          }
          long sv = rs.getLong(10);
          Long summaryVersion = rs.wasNull() ? null : sv;
          long ttl = rs.getLong(11);
          Long ttlMs = rs.wasNull() ? null : ttl;
          frames.add(
              new StreamFrame(
                  Positions.toId(pos),
                  rs.getString(7),
                  rs.getBytes(8),
                  MODE_WIRE[rs.getShort(5)],
                  rs.getString(9),
                  rs.getLong(6),
                  summaryVersion,
                  ttlMs));
        }
        return new Queried(
            streamId,
            frameCount,
            new StreamFrames(frames, closedAt, closedReason, Positions.toId(trimmedPos)));
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private static UnavailableException unavailable(SQLException e) {
    return new UnavailableException("database error: " + e.getMessage(), true, e);
  }

  @Override
  public void close() {
    committer.close();
    if (ownsDatabase) {
      db.close();
    }
  }
}
