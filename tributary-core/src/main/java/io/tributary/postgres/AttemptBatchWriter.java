package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Attempt-stream appends for the {@link GroupCommitter}: a single plain durable append goes out as
 * one statement without PL/pgSQL ({@link AttemptStreamSql#APPEND_ONE}); the plain durable appends
 * of a larger batch as one set-based statement ({@link AppendRuns}); what those leave as one call
 * of {@code tb_append_batch} ({@link AppendBatchStatement}). The appends are sorted by stream so
 * concurrent batches lock streams in one order.
 */
final class AttemptBatchWriter implements BatchWriter<AppendRequest> {
  private final Database db;

  AttemptBatchWriter(Database db) {
    this.db = db;
  }

  @Override
  public String threadName() {
    return "tributary-committer";
  }

  @Override
  public void write(Connection c, List<AppendRequest> batch) {
    batch.sort(AppendRequest::lockOrder);
    try {
      if (batch.size() == 1 && appendOne(c, batch.getFirst())) {
        return;
      }
      var rest = batch.size() == 1 ? batch : AppendRuns.write(c, db, batch);
      if (!rest.isEmpty()) {
        executeBatch(c, rest);
      }
    } catch (SQLException e) {
      // the runs' statement may have committed before the function failed: only what is open
      var open = new ArrayList<AppendRequest>();
      for (var r : batch) {
        if (!r.result().isDone()) {
          open.add(r);
        }
      }
      failed(c, open, e);
    }
  }

  /**
   * A lone plain durable append as one statement ({@link AttemptStreamSql#APPEND_ONE}); false
   * (nothing written) when it is not one or needs the function's answer.
   */
  private boolean appendOne(Connection c, AppendRequest r) throws SQLException {
    if (r.mode() != AppendRequest.DURABLE || r.idempotencyKey() != null) {
      return false;
    }
    var h = r.handle();
    try (var ps = c.prepareStatement(AttemptStreamSql.APPEND_ONE)) {
      db.bindNow(ps, 1);
      ps.setLong(2, db.config().durableRetention());
      ps.setLong(3, r.payload().length);
      ps.setObject(4, h.executionId().uuid());
      ps.setInt(5, h.executionId().partition());
      ps.setLong(6, h.attemptIndex());
      ps.setObject(7, h.leaseId());
      ps.setLong(8, h.leaseEpoch());
      ps.setString(9, r.frameType());
      ps.setBytes(10, r.payload());
      ps.setString(11, r.correlationId());
      c.setAutoCommit(true);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
        long streamId = rs.getLong(1);
        long pos = rs.getLong(2);
        long count = rs.getLong(3);
        var frames =
            CommittedAttemptFrames.of(
                streamId, count - 1, pos, rs.getLong("trimmed_pos"), rs.getLong("ts_ms"), List.of(r));
        r.result().complete(new AppendOutcome(Positions.toId(pos), count, null, false));
        db.notifier().wakeLocal(frames);
        return true;
      }
    }
  }

  private void executeBatch(Connection c, List<AppendRequest> batch) throws SQLException {
    int n = batch.size();
    var touched = new ArrayList<Long>();
    try (var ps = AppendBatchStatement.prepare(c, db, batch, false)) {
      c.setAutoCommit(true);
      var outcomes = new Object[n];
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt(1);
          var status = AttemptStatus.of(rs.getInt(2));
          if (status == AttemptStatus.OK) {
            var outcome = AppendBatchStatement.outcome(rs);
            outcomes[i] = outcome;
            if (!outcome.replayed()) {
              touched.add(AppendBatchStatement.streamId(rs));
            }
          } else {
            outcomes[i] = status.appendFailure("", rs.getString(6), batch.get(i), rs.getLong(3));
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
    }
  }

  /** Hands out the outcome of a statement that failed: retried per item, or failed as a whole. */
  private void failed(Connection c, List<AppendRequest> batch, SQLException e) {
    if (batch.size() > 1 && !CommitFailure.isConnectionFailure(e) && !CommitFailure.outcomeUnknown(e)) {
      // one bad item must not fail its neighbours: retry each on its own
      for (var r : List.copyOf(batch)) {
        write(c, new ArrayList<>(List.of(r)));
      }
      return;
    }
    RuntimeException ex;
    if (isDataError(e)) {
      ex =
          new ValidationException(
              ValidationKind.INVALID_INPUT, "the database rejected the frame: " + e.getMessage());
    } else if (CommitFailure.outcomeUnknown(e)) {
      // the statement went out and no answer came back: it may have committed before the break
      ex =
          new UnavailableException(
              "the database connection broke while the append was being committed; "
                  + CommitFailure.OUTCOME_UNKNOWN
                  + ": read the stream before retrying ("
                  + e.getMessage()
                  + ")",
              true,
              e);
    } else {
      // PostgreSQL answered with an error (e.g. 57P01 at shutdown): the statement rolled back
      ex = GroupCommitter.notStored("the database refused the append (" + e.getMessage() + ")");
    }
    batch.forEach(r -> r.result().completeExceptionally(ex));
  }

  /** SQLSTATE class 22 (data exception): retrying the same append can never succeed. */
  private static boolean isDataError(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("22");
  }
}
