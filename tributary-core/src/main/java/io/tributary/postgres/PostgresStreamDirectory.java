package io.tributary.postgres;

import io.tributary.api.AttemptInfo;
import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionDetail;
import io.tributary.api.ExecutionId;
import io.tributary.api.ExecutionInfo;
import io.tributary.api.ExecutionQuery;
import io.tributary.api.NamedStreamListing;
import io.tributary.api.Page;
import io.tributary.api.StreamDirectory;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link StreamDirectory} on PostgreSQL: keyset pagination over the partial indexes of
 * {@code V5__discovery.sql} and {@code R__discovery.sql} (see {@link DirectorySql}), one query per page.
 *
 * <p>The directory does not own the {@link Database}; close that when done.
 */
public final class PostgresStreamDirectory implements StreamDirectory {
  private final Database db;

  public PostgresStreamDirectory(Database db) {
    this.db = db;
  }

  @Override
  public Page<ExecutionInfo> executions(ExecutionQuery query) {
    var key = query.after() == null ? null : ListingCursor.parseExecution(query.after());
    String sql = DirectorySql.executions(query.state(), query.closeReason() != null, key != null);
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (query.closeReason() != null) {
        ps.setString(i++, query.closeReason().wire());
      }
      if (key != null) {
        if (query.closeReason() != null) {
          ps.setString(i++, query.closeReason().wire());
        }
        ps.setLong(i++, key.createdAtMs());
        ps.setObject(i++, key.uuid());
        ps.setInt(i++, key.partition());
      }
      // one more than asked tells whether a next page exists
      ps.setInt(i, query.limit() + 1);
      var items = new ArrayList<ExecutionInfo>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          var id = new ExecutionId(rs.getInt(2), rs.getObject(1, UUID.class));
          items.add(new ExecutionInfo(id, rs.getLong(3), rs.getLong(4), attempt(rs, 5)));
        }
      }
      return page(items, query.limit(), last -> ListingCursor.execution(last.createdAtMs(), last.executionId()));
    } catch (SQLException e) {
      throw new UnavailableException("could not list executions: " + e.getMessage(), true, e);
    }
  }

  @Override
  public Optional<ExecutionDetail> execution(ExecutionId executionId) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(DirectorySql.EXECUTION)) {
      ps.setObject(1, executionId.uuid());
      ps.setInt(2, executionId.partition());
      long attemptCount = -1;
      long createdAtMs = 0;
      AttemptInfo current = null;
      var attempts = new ArrayList<AttemptInfo>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          attemptCount = rs.getLong(1);
          long currentStream = rs.getLong(2);
          boolean hasCurrent = !rs.wasNull();
          long streamId = rs.getLong(3);
          if (rs.wasNull()) {
            continue;
          }
          var attempt = attempt(rs, 4);
          attempts.add(attempt);
          createdAtMs = rs.getLong(14);
          if (hasCurrent && currentStream == streamId) {
            current = attempt;
          }
        }
      }
      if (attemptCount < 0) {
        return Optional.empty();
      }
      return Optional.of(
          new ExecutionDetail(new ExecutionInfo(executionId, createdAtMs, attemptCount, current), attempts));
    } catch (SQLException e) {
      throw new UnavailableException("could not look up execution " + executionId + ": " + e.getMessage(), true, e);
    }
  }

  @Override
  public Page<NamedStreamListing> namedStreams(String prefix, int limit, String after) {
    if (limit < 1 || limit > MAX_STREAM_LIMIT) {
      throw new ValidationException(
          io.tributary.api.ValidationKind.INVALID_INPUT, "limit must be 1.." + MAX_STREAM_LIMIT + ", got " + limit);
    }
    String lower = prefix == null ? "" : prefix;
    String afterPath = after == null ? "" : ListingCursor.parseStream(after);
    String upper = PrefixRange.upperBound(lower);
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(DirectorySql.namedStreams(upper != null))) {
      int i = 1;
      db.bindNow(ps, i++);
      ps.setString(i++, lower);
      ps.setString(i++, afterPath);
      if (upper != null) {
        ps.setString(i++, upper);
      }
      ps.setInt(i, limit + 1);
      var items = new ArrayList<NamedStreamListing>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          items.add(
              new NamedStreamListing(
                  rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4), rs.getLong(5),
                  rs.getLong(6), nullableLong(rs, 7)));
        }
      }
      return page(items, limit, last -> ListingCursor.stream(last.path()));
    } catch (SQLException e) {
      throw new UnavailableException("could not list named streams: " + e.getMessage(), true, e);
    }
  }

  /** The attempt whose columns start at {@code from} (the order of DirectorySql's queries). */
  private static AttemptInfo attempt(ResultSet rs, int from) throws SQLException {
    long index = rs.getLong(from);
    if (rs.wasNull()) {
      return null;
    }
    Long closedAt = nullableLong(rs, from + 4);
    String reason = rs.getString(from + 5);
    long frameCount = rs.getLong(from + 6);
    long lastPos = rs.getLong(from + 8);
    return new AttemptInfo(
        index,
        rs.getLong(from + 1),
        rs.getLong(from + 2),
        rs.getLong(from + 3),
        closedAt,
        closedAt == null ? null : CloseReason.parse(reason),
        frameCount,
        rs.getLong(from + 7),
        nullableLong(rs, from + 9),
        // an attempt stream's position packs its newest frame id as ms << 16 | seq
        frameCount == 0 ? null : lastPos >>> 16);
  }

  private static <T> Page<T> page(List<T> fetched, int limit, java.util.function.Function<T, String> cursorOf) {
    if (fetched.size() <= limit) {
      return new Page<>(fetched, null);
    }
    var items = fetched.subList(0, limit);
    return new Page<>(items, cursorOf.apply(items.getLast()));
  }

  private static Long nullableLong(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }
}
