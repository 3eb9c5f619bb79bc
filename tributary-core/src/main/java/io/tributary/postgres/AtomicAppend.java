package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import io.tributary.api.TributaryException;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends a list of frames to one attempt all or nothing. Plain durable frames under one lease go
 * out as one run of {@link AppendRuns} (one statement: the fence checked once, all frames or
 * none); anything else, and a run that statement cannot decide, as the same {@code
 * tb_append_batch} call the group committer makes, but in a transaction of its own that is rolled
 * back when any frame fails (the committer instead commits each frame's own outcome). The
 * notification is part of the transaction either way, so readers hear of the frames only once
 * they are all committed.
 */
final class AtomicAppend {
  private final Database db;

  AtomicAppend(Database db) {
    this.db = db;
  }

  /**
   * Commits every request or none.
   *
   * @throws TributaryException the first frame's failure, naming its index; nothing is written
   */
  List<AppendOutcome> execute(List<AppendRequest> requests) {
    int n = requests.size();
    try (Connection c = db.dataSource().getConnection()) {
      // one stream: the runs' statement writes all of it or nothing (then the function answers)
      if (AppendRuns.write(c, db, new ArrayList<>(requests)).isEmpty()) {
        var outcomes = new ArrayList<AppendOutcome>(n);
        requests.forEach(r -> outcomes.add(r.result().join()));
        return List.copyOf(outcomes);
      }
      c.setAutoCommit(false);
      try (var ps = AppendBatchStatement.prepare(c, db, requests, true)) {
        var outcomes = new AppendOutcome[n];
        RuntimeException firstFailure = null;
        int failedAt = Integer.MAX_VALUE;
        var touched = new ArrayList<Long>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            int i = rs.getInt(1);
            var status = AttemptStatus.of(rs.getInt(2));
            if (status == AttemptStatus.OK) {
              outcomes[i] = AppendBatchStatement.outcome(rs);
              if (!outcomes[i].replayed()) {
                touched.add(AppendBatchStatement.streamId(rs));
              }
            } else if (i < failedAt) {
              failedAt = i;
              firstFailure = status.appendFailure("frame " + i + ": ", rs.getString(6), requests.get(i), rs.getLong(3));
            }
          }
        }
        if (firstFailure != null) {
          c.rollback();
          throw firstFailure;
        }
        for (int i = 0; i < n; i++) {
          if (outcomes[i] == null) {
            c.rollback();
            throw new UnavailableException("no result for frame " + i + " of the batch", true, null);
          }
        }
        c.commit();
        touched.stream().distinct().forEach(db.notifier()::wakeLocal);
        return List.of(outcomes);
      } catch (SQLException | RuntimeException e) {
        if (!c.isClosed()) {
          c.rollback();
        }
        throw e;
      }
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
        throw new ValidationException(ValidationKind.INVALID_INPUT, "the database rejected the batch: " + e.getMessage());
      }
      throw new UnavailableException("batch append failed: " + e.getMessage(), true, e);
    }
  }
}
