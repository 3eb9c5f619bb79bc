package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * What one run cost besides its appends: CPU (whole machine, the PostgreSQL server, this JVM and
 * the children it reaped, i.e. pgbench), WAL bytes and transactions (xids assigned). Read from
 * {@code /proc} and the server before and after a run; all cheap enough to take around every
 * run.
 *
 * <p>Why xids: every write transaction takes one, and both sides commit one transaction per
 * round trip of their write path, so {@code appends / xids} is the average group-commit batch on
 * the Tributary side (exactly 1 for the seed's script).
 */
final class Meter {
  /** USER_HZ; 100 on every Linux this runs on (getconf CLK_TCK). */
  private static final double TICKS_PER_S = 100.0;

  private final Pg pg;
  private final String database;
  private final Long postmasterPid;

  Meter(Pg pg, String database, Long postmasterPid) {
    this.pg = pg;
    this.database = database;
    this.postmasterPid = postmasterPid;
  }

  record Snapshot(
      long nanos,
      long machineBusy,
      long machineTotal,
      long serverTicks,
      long selfTicks,
      long childTicks,
      String walLsn,
      long nextXid) {}

  /** Costs of a run, per second of wall time (CPU in cores, so 2.0 is both cores of this box). */
  record Costs(
      double seconds,
      double machineBusyCores,
      double serverCores,
      double clientCores,
      double walBytes,
      long xids) {
    double otherCores() {
      return Double.isNaN(serverCores) ? Double.NaN : machineBusyCores - serverCores - clientCores;
    }
  }

  Snapshot snapshot() throws SQLException {
    // CPU first: the short-lived backend of the query below then falls into the next interval
    long nanos = System.nanoTime();
    long[] machine = machineTicks();
    long[] self = procTicks("self");
    long server = serverTicks();
    String lsn;
    long xid;
    try (var c = pg.connect(database);
        var st = c.createStatement();
        // pg_snapshot_xmax of a fresh snapshot is the next xid to be assigned; reading it assigns none
        var rs = st.executeQuery(
            "SELECT pg_current_wal_lsn()::text, pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
      rs.next();
      lsn = rs.getString(1);
      xid = rs.getLong(2);
    }
    return new Snapshot(nanos, machine[0], machine[1], server, self[0], self[1], lsn, xid);
  }

  Costs between(Snapshot a, Snapshot b, long cores) throws SQLException {
    double secs = (b.nanos() - a.nanos()) / 1e9;
    long total = b.machineTotal() - a.machineTotal();
    double busyCores =
        total > 0 ? cores * (double) (b.machineBusy() - a.machineBusy()) / total : Double.NaN;
    double server =
        a.serverTicks() < 0 || b.serverTicks() < 0
            ? Double.NaN
            : (b.serverTicks() - a.serverTicks()) / TICKS_PER_S / secs;
    double client =
        ((b.selfTicks() - a.selfTicks()) + (b.childTicks() - a.childTicks())) / TICKS_PER_S / secs;
    double wal;
    try (var c = pg.connect(database);
        var ps = c.prepareStatement("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)")) {
      ps.setString(1, b.walLsn());
      ps.setString(2, a.walLsn());
      try (var rs = ps.executeQuery()) {
        rs.next();
        wal = rs.getDouble(1);
      }
    }
    return new Costs(secs, busyCores, server, client, wal, b.nextXid() - a.nextXid());
  }

  /** [busy, total] jiffies of all CPUs, busy counted like run-anchors.sh (user nice system irq softirq). */
  private static long[] machineTicks() {
    try {
      for (var line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu ")) {
          var f = line.trim().split("\\s+");
          long user = Long.parseLong(f[1]), nice = Long.parseLong(f[2]), sys = Long.parseLong(f[3]);
          long idle = Long.parseLong(f[4]), iowait = Long.parseLong(f[5]);
          long irq = Long.parseLong(f[6]), softirq = Long.parseLong(f[7]);
          long busy = user + nice + sys + irq + softirq;
          return new long[] {busy, busy + idle + iowait};
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux: no CPU figures
    }
    return new long[] {0, 0};
  }

  /** utime+stime and cutime+cstime of a process (fields 14-17 of /proc/PID/stat). */
  private static long[] procTicks(String pid) {
    try {
      var s = Files.readString(Path.of("/proc", pid, "stat"));
      var f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state); utime is field 14
      return new long[] {
        Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])
      };
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /**
   * CPU of the whole server: the postmaster's live children (backends, walwriter, checkpointer,
   * ...) plus what its exited children used (its cutime/cstime: pgbench's backends end with the
   * run and are reaped by the postmaster). -1 when the server is not local.
   */
  private long serverTicks() {
    if (postmasterPid == null) {
      return -1;
    }
    long sum = 0;
    String pm = postmasterPid.toString();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (var d : (Iterable<Path>) dirs::iterator) {
        var name = d.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        try {
          var s = Files.readString(d.resolve("stat"));
          var f = s.substring(s.lastIndexOf(')') + 2).split(" ");
          if (name.equals(pm)) {
            sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            sum += Long.parseLong(f[13]) + Long.parseLong(f[14]);
          } else if (f[1].equals(pm)) {
            sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (IOException | RuntimeException ignored) {
          // the process went away between list and read
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return sum;
  }
}
