package io.tributary.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * The PostgreSQL side shared by every store of a process: the connection pool, the schema
 * (migrated on open), the clock, and the one LISTEN connection with its in-memory fan-out
 * (package-private: only the stores of this package park readers on it).
 *
 * <p>Stores built on a {@code Database} do not close it; whoever opened it does.
 */
public final class Database implements AutoCloseable {
  /**
   * Longest a pool connection waits for one read from PostgreSQL: only a silently dropped network
   * gets there (a stopped server resets the connection at once). Well above any statement the
   * stores run (appends and reads take milliseconds), so it never cuts legitimate work.
   */
  static final int SOCKET_TIMEOUT_SECONDS = 30;

  /** How stale the probe's last check may be before health reports the database DOWN. */
  static final long PROBE_STALE_MS = 1_800;

  private final StoreConfig config;
  private final HikariDataSource pool;
  private final DatabaseProbe probe;
  private final GuardedDataSource guarded;
  private final Notifier notifier;
  private final StreamRechecker rechecker;
  private final WatchMarks watchMarks;
  /**
   * Appends committing on their callers' threads at once, over both stores' committers: at most
   * half the pool, so readers and the committer threads always find connections.
   */
  private final java.util.concurrent.Semaphore selfCommits;

  private Database(
      StoreConfig config, HikariDataSource pool, DatabaseProbe probe, Notifier notifier) {
    this.config = config;
    this.pool = pool;
    this.probe = probe;
    this.guarded = new GuardedDataSource(pool, probe);
    this.notifier = notifier;
    this.watchMarks = new WatchMarks(guarded);
    this.selfCommits = new java.util.concurrent.Semaphore(Math.max(1, config.poolSize() / 2));
    this.rechecker =
        StreamRechecker.start(guarded, notifier, watchMarks, config.tailRecheckInterval().toMillis());
  }

  /** Opens the pool, migrates the schema to the latest version and starts the listener. */
  public static Database open(StoreConfig config) {
    var hc = new HikariConfig();
    hc.setJdbcUrl(config.jdbcUrl());
    if (config.user() != null) {
      hc.setUsername(config.user());
    }
    if (config.password() != null) {
      hc.setPassword(config.password());
    }
    hc.setMaximumPoolSize(config.poolSize());
    // no minimum idle: with one, Hikari's adder keeps retrying through an outage and may be
    // asleep in its up-to-5 s backoff when the database returns (see GuardedDataSource)
    hc.setMinimumIdle(0);
    long timeoutMs = config.dbTimeout().toMillis();
    hc.setConnectionTimeout(timeoutMs);
    hc.setValidationTimeout(Math.max(250, Math.min(timeoutMs / 2, 1_000)));
    hc.setPoolName("tributary");
    hc.addDataSourceProperty("ApplicationName", "tributary");
    hc.addDataSourceProperty("currentSchema", config.schema());
    hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, (timeoutMs + 999) / 1000)));
    hc.addDataSourceProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    hc.addDataSourceProperty("tcpKeepAlive", "true");
    var pool = new HikariDataSource(hc);
    DatabaseProbe probe = null;
    try {
      SchemaMigration.migrate(config);
      var notifier = Notifier.start(config);
      probe = DatabaseProbe.start(config, notifier::refreshIfOlderThan);
      return new Database(config, pool, probe, notifier);
    } catch (RuntimeException e) {
      if (probe != null) {
        probe.close();
      }
      pool.close();
      throw e;
    }
  }

  /**
   * The connection pool. {@code getConnection()} waits at most {@link StoreConfig#dbTimeout()},
   * and fails at once while the database is known to be unreachable.
   */
  public DataSource dataSource() {
    return guarded;
  }

  Notifier notifier() {
    return notifier;
  }

  /** Marks that make appends notify the attempt streams this process's readers wait on. */
  /** Permits for appends that commit on their caller's thread ({@link GroupCommitter}). */
  java.util.concurrent.Semaphore selfCommits() {
    return selfCommits;
  }

  WatchMarks watchMarks() {
    return watchMarks;
  }

  public StoreConfig config() {
    return config;
  }

  /**
   * True when PostgreSQL answered its last check (a dedicated probe connection, checked every
   * half second) and that check is recent. Answers at once: it never waits for a pool connection
   * or the network. Never throws.
   */
  public boolean isReachable() {
    long age = (System.nanoTime() - probe.checkedAtNanos()) / 1_000_000;
    return probe.isUp() && age <= PROBE_STALE_MS;
  }

  /**
   * Answers every parked tail and long-poll now with what it has (usually nothing), and makes
   * later ones return without waiting. Called when the server shuts down, before it stops
   * accepting work for good; irreversible.
   */
  public void releaseParkedReaders() {
    notifier.drain();
  }

  /** True while the LISTEN session that wakes parked readers is established. */
  public boolean isListening() {
    return notifier.isListening();
  }

  /** Now in ms: the configured clock, else this host's clock. */
  public long nowMs() {
    return config.clock() == null ? System.currentTimeMillis() : config.clock().millis();
  }

  /** The ms to pass to SQL functions: null lets the database clock decide. */
  Long sqlNowMs() {
    return config.clock() == null ? null : config.clock().millis();
  }

  /** Binds {@link #sqlNowMs()} to parameter {@code index}: SQL null lets the database clock decide. */
  void bindNow(java.sql.PreparedStatement ps, int index) throws java.sql.SQLException {
    var now = sqlNowMs();
    if (now == null) {
      ps.setNull(index, java.sql.Types.BIGINT);
    } else {
      ps.setLong(index, now);
    }
  }

  @Override
  public void close() {
    rechecker.close();
    notifier.close();
    probe.close();
    pool.close();
  }
}
