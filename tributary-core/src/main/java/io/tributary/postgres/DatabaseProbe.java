package io.tributary.postgres;

import java.sql.SQLException;
import java.util.Map;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows, at any moment and without waiting, whether PostgreSQL answers: a thread of its own checks
 * a dedicated connection every {@link #INTERVAL_UP_MS} (every {@link #INTERVAL_DOWN_MS} while it
 * is down) with short timeouts, and publishes the result.
 *
 * <p>Why a dedicated connection and a cached answer: a health check that borrows from the pool
 * waits behind a saturated or dead pool, and one that opens a connection per call waits out the
 * connect timeout; both broke {@code /health}'s 2 s budget. Reading a published flag never
 * blocks, and the flag is at most one interval plus the check's own timeout old. The pool also
 * consults it ({@link GuardedDataSource}), so requests fail at once during a known outage.
 *
 * <p>A failed check on a connection that worked reconnects and checks once more before it reports
 * DOWN, so a probe connection that was killed on its own (an operator's {@code
 * pg_terminate_backend}) does not read as an outage.
 */
final class DatabaseProbe implements AutoCloseable {
  /** Between checks while the database answers. */
  static final long INTERVAL_UP_MS = 500;

  /** Between reconnect attempts while it does not: the most recovery waits for the probe. */
  static final long INTERVAL_DOWN_MS = 200;

  /** Bound of one connect, and of one check on an open connection. */
  static final int CHECK_TIMEOUT_SECONDS = 1;

  /** {@code application_name} of the probe session. */
  static final String APPLICATION_NAME = "tributary-probe";

  private static final Logger log = LoggerFactory.getLogger(DatabaseProbe.class);

  private final LongConsumer onRecovery;
  private final BackgroundLoop loop;
  private volatile boolean up = true;
  private volatile long checkedAtNanos = System.nanoTime();
  private long downSinceNanos;
  private final OwnConnection connection;

  private DatabaseProbe(StoreConfig config, LongConsumer onRecovery) {
    this.onRecovery = onRecovery;
    this.loop = new BackgroundLoop("tributary-probe", this::run);
    this.connection =
        new OwnConnection(
            config, APPLICATION_NAME, CHECK_TIMEOUT_SECONDS,
            Map.of("socketTimeout", Integer.toString(CHECK_TIMEOUT_SECONDS + 1)));
  }

  /**
   * Starts probing; the database counts as up until the first check says otherwise.
   *
   * @param onRecovery called on the probe's thread when the database answers again after being
   *     down, with the {@link System#nanoTime()} at which it was first seen down
   */
  static DatabaseProbe start(StoreConfig config, LongConsumer onRecovery) {
    var p = new DatabaseProbe(config, onRecovery);
    p.loop.start();
    return p;
  }

  /** The last check's result: true when PostgreSQL answered it. Never blocks. */
  boolean isUp() {
    return up;
  }

  /** Nanoseconds ({@link System#nanoTime()}) of the last finished check. */
  long checkedAtNanos() {
    return checkedAtNanos;
  }

  private void run() {
    while (loop.running()) {
      boolean ok = check();
      if (!ok && loop.running() && up) {
        ok = check(); // once more on a fresh connection: the old one may have died alone
      }
      boolean recovered = ok && !up;
      if (ok != up && loop.running()) {
        if (ok) {
          log.info("database reachable again");
        } else {
          downSinceNanos = System.nanoTime();
          log.warn("database unreachable: requests fail fast until it answers again");
        }
      }
      up = ok;
      checkedAtNanos = System.nanoTime();
      if (recovered && loop.running()) {
        try {
          onRecovery.accept(downSinceNanos);
        } catch (RuntimeException e) {
          log.warn("recovery step failed: {}", e.getMessage());
        }
      }
      loop.pause(ok ? INTERVAL_UP_MS : INTERVAL_DOWN_MS);
    }
  }

  /** One check; reconnects when there is no connection. Never throws. */
  private boolean check() {
    try {
      var c = connection.held();
      if (c == null) {
        c = connection.open();
      }
      if (c.isValid(CHECK_TIMEOUT_SECONDS)) {
        return true;
      }
    } catch (SQLException | RuntimeException e) {
      log.debug("database probe failed: {}", e.getMessage());
    }
    connection.close();
    return false;
  }

  @Override
  public void close() {
    loop.stop(() -> {}, 3_000);
    connection.close();
  }
}
