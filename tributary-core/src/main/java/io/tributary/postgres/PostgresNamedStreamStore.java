package io.tributary.postgres;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamCreation;
import io.tributary.api.NamedStreamDeletion;
import io.tributary.api.NamedStreamFrame;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamSpec;
import io.tributary.api.NamedStreamStore;
import io.tributary.api.UnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/**
 * {@link NamedStreamStore} on PostgreSQL: named streams are {@code tb_stream} rows of kind 2 with
 * their frames in {@code tb_frame}; create, append and delete are single calls to server-side
 * functions that lock the stream row, so each is atomic and serialised per stream, while reads run
 * beside them without locks. Waiting readers park on the process's {@link Notifier}, woken by the
 * NOTIFY each append sends, and hold no connection while parked.
 *
 * <p>Appends are group-committed by committer threads started with the first append; {@link
 * #close()} stops them. A store on a shared {@link Database} does not own it (close that when
 * done); one from {@link #open} does.
 */
public final class PostgresNamedStreamStore implements NamedStreamStore {
  /** Most frames one read returns (JSON streams can hold very small messages). */
  static final int MAX_FRAMES_PER_READ = 10_000;

  private final Database db;
  private boolean ownsDatabase;
  private volatile GroupCommitter<NamedAppendRequest> committer;
  private boolean closed;

  public PostgresNamedStreamStore(Database db) {
    this.db = db;
  }

  /** Opens a database (pool, migrations, listener) and a store that owns it. */
  public static PostgresNamedStreamStore open(StoreConfig config) {
    var store = new PostgresNamedStreamStore(Database.open(config));
    store.ownsDatabase = true;
    return store;
  }

  public Database database() {
    return db;
  }

  @Override
  public NamedStreamCreation create(String path, NamedStreamSpec spec) {
    var fork = spec.fork();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(NamedStreamSql.CREATE)) {
      ps.setString(1, path);
      db.bindNow(ps, 2);
      ps.setString(3, spec.contentType());
      ps.setString(4, NamedStreamInfo.mediaTypeOf(spec.contentType()));
      ps.setBoolean(5, NamedStreamInfo.isJson(spec.contentType()));
      setLong(ps, 6, spec.ttlSeconds());
      setLong(ps, 7, spec.expiresAtMs());
      ps.setBoolean(8, spec.closed());
      ps.setArray(9, c.createArrayOf("bytea", spec.messages().toArray(byte[][]::new)));
      ps.setString(10, fork == null ? null : fork.sourcePath());
      setLong(ps, 11, fork == null ? null : fork.offset());
      setLong(ps, 12, fork == null ? null : fork.subOffset());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        var status = NamedStreamCreation.Status.valueOf(rs.getString(1).toUpperCase(Locale.ROOT));
        // no stream row when the create was refused
        var info = rs.getObject(2) == null ? null : info(rs);
        return new NamedStreamCreation(status, info, rs.getString(9));
      }
    } catch (SQLException e) {
      throw unavailable("create", path, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Concurrent appends share a transaction ({@link GroupCommitter}, {@link NamedBatchWriter});
   * each keeps its own checks and outcome. An append to a stream with nothing queued or in flight
   * commits on the calling thread. Waits at most about {@link io.tributary.api.StoreConfig#dbTimeout()} for
   * the database to take it, unless it was already sent (then for the statement's outcome).
   */
  @Override
  public NamedStreamAppendResult append(String path, NamedStreamAppend append) {
    var committer = committer();
    var request = new NamedAppendRequest(path, append, committer.deadlineFromNow());
    try {
      // the caller waits anyway: it commits the append itself when its stripe is idle
      committer.commitOrSubmit(request);
      return request.result().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new UnavailableException("append failed: " + e.getCause(), true, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (request.ticket().expire(new UnavailableException("interrupted", true, e))) {
        throw new UnavailableException("interrupted while appending; not stored", true, e);
      }
      throw new UnavailableException(
          "interrupted while appending to named stream " + path + "; " + CommitFailure.OUTCOME_UNKNOWN,
          true,
          e);
    }
  }

  private GroupCommitter<NamedAppendRequest> committer() {
    var c = committer;
    if (c == null) {
      synchronized (this) {
        if (closed) {
          throw new UnavailableException("named stream store is closed", false, null);
        }
        c = committer;
        if (c == null) {
          c = NamedBatchWriter.committer(db);
          committer = c;
        }
      }
    }
    return c;
  }

  /**
   * Stops the append committers (started with the first append), then closes the database when
   * this store opened it; on a shared database, reads keep working.
   */
  @Override
  public void close() {
    GroupCommitter<NamedAppendRequest> c;
    synchronized (this) {
      closed = true;
      c = committer;
    }
    if (c != null) {
      c.close();
    }
    if (ownsDatabase) {
      db.close();
    }
  }

  @Override
  public NamedStreamRead read(String path, long after, int maxBytes) {
    return read(path, after, maxBytes, true);
  }

  @Override
  public NamedStreamRead head(String path) {
    return read(path, TAIL, 0, false);
  }

  @Override
  public NamedStreamRead await(String path, long after, int maxBytes, Duration maxWait)
      throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    var first = read(path, after, maxBytes, true);
    if (first.status() != NamedStreamRead.Status.OK
        || !first.frames().isEmpty()
        || first.info().closed()) {
      return first;
    }
    long id = first.info().id();
    long from = first.nextPos();
    return ParkedRead.park(
        db.notifier(),
        first,
        r -> id,
        // appends notify only marked streams: mark before every re-query
        key -> db.watchMarks().ensure(key),
        handed -> {
          // frames this process just committed, starting where this reader waits: the read
          // would return just these (or more, had another server appended since), so answer
          // with them and skip the query
          var committed =
              handed instanceof CommittedFrames cf ? cf.readFor(first.info(), from, maxBytes, MAX_FRAMES_PER_READ) : null;
          if (committed != null) {
            return committed;
          }
          var r = read(path, from, maxBytes, false);
          // the URL now names another stream: the one this reader waited on is gone
          return r.status() == NamedStreamRead.Status.OK && r.info().id() != id
              ? NamedStreamRead.without(NamedStreamRead.Status.NOT_FOUND, null, from)
              : r;
        },
        r -> r.status() != NamedStreamRead.Status.OK || !r.frames().isEmpty() || r.info().closed(),
        deadline);
  }

  @Override
  public NamedStreamDeletion delete(String path) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(NamedStreamSql.DELETE)) {
      ps.setString(1, path);
      db.bindNow(ps, 2);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return NamedStreamDeletion.valueOf(rs.getString(1).toUpperCase(Locale.ROOT));
      }
    } catch (SQLException e) {
      throw unavailable("delete", path, e);
    }
  }

  @Override
  public int expireStreams(int limit) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(NamedStreamSql.SWEEP)) {
      db.bindNow(ps, 1);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new UnavailableException("could not expire named streams: " + e.getMessage(), true, e);
    }
  }

  private NamedStreamRead read(String path, long after, int maxBytes, boolean touch) {
    if (after < TAIL) {
      throw new IllegalArgumentException("read position must be >= 0 (or TAIL), not " + after);
    }
    long from = after == TAIL ? Long.MAX_VALUE : after;
    long upper = maxBytes <= 0 ? from : saturatedAdd(from, maxBytes);
    var page = query(path, from, upper, MAX_FRAMES_PER_READ, touch);
    if (page.status != NamedStreamRead.Status.OK) {
      return NamedStreamRead.without(page.status, null, 0);
    }
    var info = page.info;
    if (after == TAIL) {
      return NamedStreamRead.without(NamedStreamRead.Status.OK, info, info.tailPos());
    }
    if (after > info.tailPos()) {
      return NamedStreamRead.without(NamedStreamRead.Status.BEYOND_TAIL, info, after);
    }
    var frames = page.frames;
    if (frames.isEmpty() && after < info.tailPos() && maxBytes > 0) {
      // the next frame alone is larger than maxBytes (or committed after the first snapshot)
      frames = query(path, after, info.tailPos(), 1, false).frames;
    }
    frames = trimStart(frames, after, info.json());
    long next = frames.isEmpty() ? after : frames.getLast().endPos();
    return new NamedStreamRead(NamedStreamRead.Status.OK, info, frames, next);
  }

  /**
   * A position inside a byte frame reads the rest of it; inside a JSON message it skips the
   * message, since half a message is not JSON.
   */
  private static List<NamedStreamFrame> trimStart(
      List<NamedStreamFrame> frames, long after, boolean json) {
    if (frames.isEmpty()) {
      return frames;
    }
    var first = frames.getFirst();
    long start = first.endPos() - first.payload().length;
    if (start >= after) {
      return frames;
    }
    var rest = new ArrayList<>(frames.subList(1, frames.size()));
    if (!json) {
      var tail = Arrays.copyOfRange(first.payload(), (int) (after - start), first.payload().length);
      rest.addFirst(new NamedStreamFrame(first.endPos(), tail));
    }
    return rest;
  }

  private Page query(String path, long after, long upper, int limit, boolean touch) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(NamedStreamSql.READ)) {
      ps.setString(1, path);
      db.bindNow(ps, 2);
      ps.setBoolean(3, touch);
      ps.setLong(4, after);
      ps.setLong(5, upper);
      ps.setInt(6, limit);
      ps.setInt(7, limit);
      try (ResultSet rs = ps.executeQuery()) {
        var page = new Page();
        while (rs.next()) {
          if (page.status == null) {
            page.status = statusOf(rs.getString(1));
            if (page.status != NamedStreamRead.Status.OK) {
              return page;
            }
            page.info = info(rs);
          }
          long pos = rs.getLong(9);
          if (!rs.wasNull()) {
            page.frames.add(new NamedStreamFrame(pos, rs.getBytes(10)));
          }
        }
        return page;
      }
    } catch (SQLException e) {
      throw unavailable("read", path, e);
    }
  }

  private static NamedStreamRead.Status statusOf(String s) {
    return switch (s) {
      case "ok" -> NamedStreamRead.Status.OK;
      case "gone" -> NamedStreamRead.Status.GONE;
      default -> NamedStreamRead.Status.NOT_FOUND;
    };
  }

  /** One query's result: the stream's status and metadata, and frames in range. */
  private static final class Page {
    NamedStreamRead.Status status;
    NamedStreamInfo info;
    List<NamedStreamFrame> frames = new ArrayList<>();
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  /** The stream's row in columns 2 to 8, as the creating and the reading functions return it. */
  private static NamedStreamInfo info(ResultSet rs) throws SQLException {
    return new NamedStreamInfo(
        rs.getLong(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5), rs.getBoolean(6), getLong(rs, 7),
        getLong(rs, 8));
  }

  private static Long getLong(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }

  private static UnavailableException unavailable(String what, String path, SQLException e) {
    return new UnavailableException(
        "could not " + what + " named stream " + path + ": " + e.getMessage(), true, e);
  }
}
