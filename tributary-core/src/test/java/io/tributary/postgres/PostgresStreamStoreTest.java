package io.tributary.postgres;

import io.tributary.api.ExecutionId;
import io.tributary.api.Handle;
import io.tributary.api.StreamStore;
import io.tributary.contract.StoreSettings;
import io.tributary.contract.StreamStoreContract;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** The contract on the PostgreSQL store (embedded PostgreSQL 18, one database for the class). */
class PostgresStreamStoreTest extends StreamStoreContract {
  private static final String DB = "contract_pg";
  private static final AtomicInteger ISOLATED = new AtomicInteger();
  private final String url = EmbeddedPostgres.createDatabase(DB);

  /** The contract's settings as this backend's configuration; unset ones keep their defaults. */
  static StoreConfig config(String url, UnaryOperator<StoreSettings> tweak) {
    var settings = tweak.apply(new StoreSettings());
    var b = StoreConfig.builder(url).user("postgres");
    if (settings.durableRetention() != null) {
      b.durableRetention(settings.durableRetention());
    }
    if (settings.summaryRetention() != null) {
      b.summaryRetention(settings.summaryRetention());
    }
    if (settings.maxPayloadBytes() != null) {
      b.maxPayloadBytes(settings.maxPayloadBytes());
    }
    if (settings.tailRecheckInterval() != null) {
      b.tailRecheckInterval(settings.tailRecheckInterval());
    }
    if (settings.poolSize() != null) {
      b.poolSize(settings.poolSize());
    }
    if (settings.appendKeyWindow() != null) {
      b.appendKeyWindow(settings.appendKeyWindow());
    }
    return b.clock(settings.clock()).build();
  }

  @Override
  protected StreamStore openStore(UnaryOperator<StoreSettings> tweak) {
    return PostgresStreamStore.open(config(url, tweak));
  }

  @Override
  protected StreamStore openIsolatedStore(UnaryOperator<StoreSettings> tweak) {
    var isolated = EmbeddedPostgres.createDatabase(DB + "_iso" + ISOLATED.incrementAndGet());
    return PostgresStreamStore.open(config(isolated, tweak));
  }

  private static Database db(StreamStore s) {
    return ((PostgresStreamStore) s).database();
  }

  @Override
  protected Optional<BestEffortState> bestEffortState(StreamStore store, ExecutionId eid, long attempt) {
    try (Connection c = db(store).dataSource().getConnection();
        var ps = c.prepareStatement(
            "SELECT ema_rate_hz, maxlen_applied_last, last_be_append_ms FROM tb_stream"
                + " WHERE kind = 1 AND execution_id = ? AND attempt_index = ?")) {
      ps.setObject(1, eid.uuid());
      ps.setLong(2, attempt);
      try (var rs = ps.executeQuery()) {
        if (!rs.next() || rs.getObject(1) == null) {
          return Optional.empty();
        }
        return Optional.of(new BestEffortState(rs.getDouble(1), rs.getLong(2), rs.getLong(3)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected Set<Integer> listenerSessions() {
    try (Connection c = EmbeddedPostgres.adminDataSource().getConnection();
        var ps = c.prepareStatement(
            "SELECT pid FROM pg_stat_activity WHERE application_name = ? AND datname = ?")) {
      ps.setString(1, Notifier.APPLICATION_NAME);
      ps.setString(2, DB);
      var pids = new HashSet<Integer>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          pids.add(rs.getInt(1));
        }
      }
      return pids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void dropListenerSessions() {
    try (Connection c = EmbeddedPostgres.adminDataSource().getConnection();
        var ps = c.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ? AND datname = ?")) {
      ps.setString(1, Notifier.APPLICATION_NAME);
      ps.setString(2, DB);
      ps.executeQuery().close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected AutoCloseable refuseNewConnections() {
    setAllowConnections(false);
    return () -> setAllowConnections(true);
  }

  private static void setAllowConnections(boolean allow) {
    try (Connection c = EmbeddedPostgres.adminDataSource().getConnection();
        var st = c.createStatement()) {
      st.execute("ALTER DATABASE " + DB + " WITH ALLOW_CONNECTIONS " + allow);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected StreamHold holdStream(Handle handle) {
    try {
      Connection c = java.sql.DriverManager.getConnection(url, "postgres", "");
      c.setAutoCommit(false);
      try (var ps = c.prepareStatement(
          "SELECT id FROM tb_stream WHERE kind = 1 AND execution_id = ? AND partition_key = ?"
              + " AND attempt_index = ? FOR UPDATE")) {
        ps.setObject(1, handle.executionId().uuid());
        ps.setInt(2, handle.executionId().partition());
        ps.setLong(3, handle.attemptIndex());
        ps.executeQuery().close();
      }
      return new RowLockHold(c);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The stream's row lock held by a transaction of its own; appends wait on it. */
  private record RowLockHold(Connection connection) implements StreamHold {
    @Override
    public void awaitBlockedAppends(int n) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (lockWaiters() < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("fewer than " + n + " appends blocked after 10 s");
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }

    private static int lockWaiters() {
      try (Connection c = EmbeddedPostgres.adminDataSource().getConnection();
          var ps = c.prepareStatement(
              "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'")) {
        ps.setString(1, DB);
        try (var rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      try (connection) {
        connection.rollback();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  protected boolean listenerReady(StreamStore store) {
    return db(store).notifier().isListening();
  }

  @Override
  protected int watchedStreams(StreamStore store) {
    return db(store).notifier().watchedStreams();
  }

  @Override
  protected int parkedReaders(StreamStore store) {
    return db(store).notifier().parkedReaders();
  }
}
