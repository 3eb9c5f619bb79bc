package io.tributary.postgres;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** What a failed single-statement (autocommit) write tells about whether it committed. */
final class CommitFailure {
  /** Said in every error whose write may have committed, so clients can tell the cases apart. */
  static final String OUTCOME_UNKNOWN = "it may or may not have been stored";

  private CommitFailure() {}

  /**
   * True when the connection broke under the statement without an error reply from PostgreSQL
   * (pgjdbc reports I/O failures as SQLSTATE class 08): the commit may have happened. False when
   * there was no connection at all (the pool's {@link SQLTransientConnectionException}), or
   * PostgreSQL answered with an error: then the statement rolled back.
   */
  static boolean outcomeUnknown(SQLException e) {
    return !(e instanceof SQLTransientConnectionException)
        && e.getSQLState() != null
        && e.getSQLState().startsWith("08");
  }

  /**
   * No connection (pool timeout) or the server ending sessions with an error reply (class 57:
   * shutdown, crash, not accepting connections, cancelled): every append of a batch would fail the
   * same way, so the batch fails at once instead of trying once per append. The statement rolled
   * back.
   */
  static boolean isConnectionFailure(SQLException e) {
    return e instanceof SQLTransientConnectionException
        || (e.getSQLState() != null && e.getSQLState().startsWith("57"));
  }
}
