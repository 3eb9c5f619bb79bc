package io.tributary.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single LISTEN connection of a process and the in-memory map of parked readers it wakes.
 *
 * <p>Why one dedicated connection: pgjdbc's {@code getNotifications(timeout)} holds the
 * connection while it waits, so it cannot be a pool connection, and one listener per process
 * keeps the number of LISTEN sessions independent of the number of readers. Appends send one
 * notification per transaction on {@link #CHANNEL} with the comma-separated ids of the streams
 * they touched ({@code *} for "everything"); this class wakes the waiters of those streams.
 *
 * <p>Notifications are hints. While the connection is down they are lost, so after every
 * (re)connect every waiter is woken to re-query, and a {@link StreamRechecker} checks the streams
 * that have waiters every {@link StoreConfig#tailRecheckInterval()} (one query for all of them)
 * and wakes the waiters of those that changed. Channels without waiters are removed at once, so
 * the map is bounded by the number of parked readers.
 */
final class Notifier implements AutoCloseable {
  /** The one channel all appends notify on. */
  public static final String CHANNEL = "tributary_frames";

  /**
   * Key woken whenever an attempt starts: tails of an attempt that does not exist yet wait here,
   * then move to the new stream's own key.
   */
  public static final long ATTEMPT_STARTED = 0;

  /** {@code application_name} of the LISTEN session, so operators (and tests) can find it. */
  public static final String APPLICATION_NAME = "tributary-listener";

  private static final Logger log = LoggerFactory.getLogger(Notifier.class);
  private static final int POLL_MS = 500;
  private static final long MAX_BACKOFF_MS = 1_000;
  private static final int CONNECT_TIMEOUT_SECONDS = 2;

  private final ConcurrentHashMap<Long, Set<Waiter>> waiters = new ConcurrentHashMap<>();
  private final BackgroundLoop loop;
  private volatile boolean draining;
  private volatile boolean listening;
  private final java.util.concurrent.CountDownLatch firstListen = new java.util.concurrent.CountDownLatch(1);
  private final OwnConnection connection;
  /** {@link System#nanoTime()} when the current LISTEN session was established. */
  private volatile long listeningSinceNanos;

  private Notifier(StoreConfig config) {
    this.loop = new BackgroundLoop("tributary-listener", this::run);
    // bounded, so that after an outage on a dropped network the next try comes soon
    this.connection =
        new OwnConnection(config, APPLICATION_NAME, CONNECT_TIMEOUT_SECONDS, Map.of("tcpKeepAlive", "true"));
  }

  /** How long start-up waits for the first LISTEN before it goes on without it. */
  static final long FIRST_LISTEN_TIMEOUT_MS = 10_000;

  /** Starts the listener and waits (bounded) until it listens, so a fresh store misses nothing. */
  static Notifier start(StoreConfig config) {
    var n = new Notifier(config);
    n.loop.start();
    try {
      n.firstListen.await(FIRST_LISTEN_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return n;
  }

  /** Registers a waiter for a stream. Register before the first query, then query, then park. */
  public Waiter register(long streamId) {
    var w = new Waiter(this, streamId);
    // add inside compute: a concurrent deregister may be removing this stream's (now empty) set
    waiters.compute(
        streamId,
        (id, set) -> {
          var s = set == null ? ConcurrentHashMap.<Waiter>newKeySet() : set;
          s.add(w);
          return s;
        });
    return w;
  }

  void deregister(Waiter w) {
    waiters.computeIfPresent(
        w.streamId(),
        (id, set) -> {
          set.remove(w);
          return set.isEmpty() ? null : set;
        });
  }

  /** Wakes this process's waiters of a stream right after a local commit. */
  public void wakeLocal(long streamId) {
    wake(streamId, false);
  }

  /**
   * Wakes this process's waiters of a stream right after a local commit of {@code frames}, handing
   * them the frames so a waiter at their start need not read them back. The notification of the
   * same commit still wakes them (and other servers' waiters) as any notification does.
   */
  void wakeLocal(HandedFrames frames) {
    wake(frames.streamId(), false, w -> w.wake(frames));
  }

  private void wake(long streamId, boolean notified) {
    wake(streamId, notified, Waiter::wake);
  }

  private void wake(long streamId, boolean notified, java.util.function.Consumer<Waiter> wake) {
    var set = waiters.get(streamId);
    if (set != null) {
      set.forEach(wake);
      WakeEvents.wake(streamId, set.size(), notified);
    }
  }

  /**
   * Ends every park now and makes later ones return at once, so parked readers answer with what
   * they have; used when the process shuts down. There is no way back.
   */
  void drain() {
    draining = true;
    wakeAll();
  }

  boolean isDraining() {
    return draining;
  }

  /** Wakes every waiter (they all re-query). */
  public void wakeAll() {
    waiters.values().forEach(set -> set.forEach(Waiter::wake));
  }

  /** The streams (and {@link #ATTEMPT_STARTED}) with at least one parked waiter, as of now. */
  java.util.Set<Long> watchedStreamIds() {
    return new java.util.HashSet<>(waiters.keySet());
  }

  /** Number of registered waiters (parked readers, and readers about to park), as of now. */
  public int parkedReaders() {
    return waiters.values().stream().mapToInt(java.util.Set::size).sum();
  }

  /** Number of streams with at least one parked waiter. */
  public int watchedStreams() {
    return waiters.size();
  }

  /** True while the LISTEN session is established. */
  public boolean isListening() {
    return listening;
  }

  /**
   * Drops the LISTEN session if it was established before {@code sinceNanos}, so that it is
   * re-established at once. Called when the database is back after an outage: a session that
   * seems to have lived through it may be dead without knowing (a silently dropped network never
   * reports an error to a connection that only waits), and notifications sent to it are lost.
   */
  void refreshIfOlderThan(long sinceNanos) {
    var c = connection.held();
    if (c != null && listening && listeningSinceNanos - sinceNanos < 0) {
      log.info("LISTEN session predates the database outage; re-establishing it");
      try {
        // abort, not close: close would wait for the listener thread's pending read
        c.abort(Runnable::run);
      } catch (SQLException e) {
        log.debug("could not abort the LISTEN connection: {}", e.getMessage());
      }
    }
  }

  private void run() {
    long backoff = 100;
    while (loop.running()) {
      try (Connection c = connection.open()) {
        try (var st = c.createStatement()) {
          st.execute("LISTEN " + CHANNEL);
        }
        listeningSinceNanos = System.nanoTime();
        listening = true;
        firstListen.countDown();
        backoff = 100;
        // anything sent while we were not listening is lost: everyone re-queries
        wakeAll();
        var pg = c.unwrap(PGConnection.class);
        while (loop.running()) {
          var notes = pg.getNotifications(POLL_MS);
          if (notes == null) {
            continue;
          }
          for (var n : notes) {
            dispatch(n.getParameter());
          }
        }
      } catch (SQLException e) {
        if (loop.running()) {
          log.warn("LISTEN connection lost ({}); reconnecting in {} ms", e.getMessage(), backoff);
        }
      } finally {
        listening = false;
        connection.forget();
      }
      if (loop.running()) {
        loop.pause(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  private void dispatch(String payload) {
    if (payload == null || payload.isEmpty() || payload.equals("*")) {
      wakeAll();
      return;
    }
    int start = 0;
    while (start < payload.length()) {
      int comma = payload.indexOf(',', start);
      int end = comma < 0 ? payload.length() : comma;
      try {
        wake(Long.parseLong(payload, start, end, 10), true);
      } catch (NumberFormatException e) {
        wakeAll();
        return;
      }
      start = end + 1;
    }
  }

  @Override
  public void close() {
    loop.stop(connection::close, 2_000);
    wakeAll();
  }
}
