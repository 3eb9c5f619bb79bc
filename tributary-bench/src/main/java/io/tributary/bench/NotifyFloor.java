package io.tributary.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;

/**
 * The delivery calibration of {@code scripts/bench-http.sh}: the least a durable system on this
 * PostgreSQL can take from "append sent" to "a reader has it", without HTTP. One connection
 * commits a one-row INSERT and a {@code pg_notify} in one statement (one transaction, one WAL
 * flush under the database's {@code synchronous_commit}); a second connection LISTENs for it in a
 * thread of its own, blocked in pgjdbc's {@code getNotifications}, as Tributary's listener is; on
 * arrival a third connection reads the row back, as a woken reader does. Appends are sequential,
 * with a short pause between them, as the generator's delivery rounds are.
 *
 * <p>Per sample, from the INSERT's send: the writer's commit answer ({@code commit}: the floor of a
 * server that hands its own readers the frames it committed), that plus one indexed read of the
 * new row on the writer's connection ({@code commit_read}: a server waking its own readers, who
 * re-query), the notification's arrival at the listener ({@code notify}: another server's readers
 * learn of it) and that plus the read ({@code notify_read}). The two reads are taken in alternate
 * samples, so that they never run at the same time. Prints one JSON line with p50/p99 of each.
 *
 * <p>Arguments: JDBC URL (user {@code postgres}, password from {@code PGPASSWORD} if set), samples
 * (default 1000), pause between samples in ms (default 2), unmeasured samples first (default 200).
 */
public final class NotifyFloor {
  private static final String CHANNEL = "bench_notify_floor";

  private NotifyFloor() {}

  private static Connection connect(String url) throws SQLException {
    var p = new Properties();
    p.setProperty("user", "postgres");
    var pw = System.getenv("PGPASSWORD");
    if (pw != null) {
      p.setProperty("password", pw);
    }
    p.setProperty("ApplicationName", "tributary-bench-notify-floor");
    var c = DriverManager.getConnection(url, p);
    c.setAutoCommit(true);
    return c;
  }

  /** One listener's observation: the nanoTime of the notification and of the read after it. */
  private record Seen(long notifiedNanos, long readNanos) {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    long pauseMs = args.length > 2 ? Long.parseLong(args[2]) : 2;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    try (var writer = connect(url);
        var listener = connect(url);
        var reader = connect(url)) {
      try (var st = writer.createStatement()) {
        st.execute("SET synchronous_commit = on");
        st.execute("CREATE TABLE IF NOT EXISTS notify_floor (id bigserial PRIMARY KEY, v text)");
      }
      try (var st = listener.createStatement()) {
        st.execute("LISTEN " + CHANNEL);
      }
      var seen = new SynchronousQueue<Seen>();
      var listenerReads = new AtomicBoolean();
      var pg = listener.unwrap(PGConnection.class);
      var read = reader.prepareStatement("SELECT v FROM notify_floor WHERE id = ?");
      var listening =
          Thread.ofPlatform()
              .daemon()
              .name("notify-floor-listener")
              .start(
                  () -> {
                    try {
                      while (!Thread.currentThread().isInterrupted()) {
                        var notes = pg.getNotifications(0);
                        long at = System.nanoTime();
                        if (notes == null || notes.length == 0) {
                          continue;
                        }
                        if (listenerReads.get()) {
                          readRow(read, Long.parseLong(notes[notes.length - 1].getParameter()));
                        }
                        seen.put(new Seen(at, System.nanoTime()));
                      }
                    } catch (SQLException | InterruptedException e) {
                      // the probe is over (its connection closed)
                    }
                  });
      var ownRead = writer.prepareStatement("SELECT v FROM notify_floor WHERE id = ?");
      var insert =
          writer.prepareStatement(
              "WITH i AS (INSERT INTO notify_floor (v) VALUES (repeat('x', 100)) RETURNING id)"
                  + " SELECT id, pg_notify('" + CHANNEL + "', id::text) FROM i");
      int total = warmup + samples;
      var commit = new double[samples];
      var notify = new double[samples];
      var commitRead = new double[samples / 2];
      var notifyRead = new double[samples - samples / 2];
      for (int i = 0; i < total; i++) {
        boolean listenerRead = (i - warmup) % 2 == 0;
        listenerReads.set(listenerRead);
        long t0 = System.nanoTime();
        long id;
        try (var rs = insert.executeQuery()) {
          rs.next();
          id = rs.getLong(1);
        }
        long acked = System.nanoTime();
        long readAt = 0;
        if (!listenerRead) {
          readRow(ownRead, id);
          readAt = System.nanoTime();
        }
        var s = seen.poll(10, TimeUnit.SECONDS);
        if (s == null) {
          throw new IllegalStateException("no notification within 10 s");
        }
        if (i >= warmup) {
          int k = i - warmup;
          commit[k] = (acked - t0) / 1e6;
          notify[k] = (s.notifiedNanos() - t0) / 1e6;
          if (listenerRead) {
            notifyRead[k / 2] = (s.readNanos() - t0) / 1e6;
          } else {
            commitRead[k / 2] = (readAt - t0) / 1e6;
          }
        }
        if (pauseMs > 0) {
          Thread.sleep(pauseMs);
        }
      }
      listening.interrupt();
      try (var st = writer.createStatement()) {
        st.execute("TRUNCATE notify_floor");
      }
      System.out.printf(
          Locale.ROOT,
          "{\"name\":\"postgres\",\"phase\":\"notify_floor\",\"n\":%d,\"commit_p50_ms\":%.3f,"
              + "\"commit_p99_ms\":%.3f,\"commit_read_p50_ms\":%.3f,\"commit_read_p99_ms\":%.3f,"
              + "\"notify_p50_ms\":%.3f,\"notify_p99_ms\":%.3f,"
              + "\"notify_read_p50_ms\":%.3f,\"notify_read_p99_ms\":%.3f}%n",
          samples,
          pct(commit, 0.5),
          pct(commit, 0.99),
          pct(commitRead, 0.5),
          pct(commitRead, 0.99),
          pct(notify, 0.5),
          pct(notify, 0.99),
          pct(notifyRead, 0.5),
          pct(notifyRead, 0.99));
    }
  }

  private static void readRow(java.sql.PreparedStatement read, long id) throws SQLException {
    read.setLong(1, id);
    try (var rs = read.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("committed row " + id + " not visible");
      }
    }
  }

  private static double pct(double[] xs, double p) {
    var s = xs.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) (s.length * p))];
  }
}
