package io.tributary.postgres;

import io.tributary.api.AppendOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes the plain durable appends of a batch with the one set-based statement {@link
 * AttemptStreamSql#APPEND_RUNS}: a run is every append of the batch to one stream, when all of
 * them are durable, unnamed and under one lease. Anything else (summaries, best-effort frames,
 * idempotency keys, two leases on one stream) and any run the statement leaves out (it cannot
 * decide a fence failure, an unknown attempt, an expired stream or a run longer than the cap) is
 * left to {@code tb_append_batch}: whole streams only, so a stream's appends keep their order.
 */
final class AppendRuns {
  private AppendRuns() {}

  /** Whether {@code r} may go in a run: durable and unnamed. */
  static boolean eligible(AppendRequest r) {
    return r.mode() == AppendRequest.DURABLE && r.idempotencyKey() == null;
  }

  /**
   * Writes the runs of {@code sorted} (sorted by {@link AppendRequest#lockOrder}) in one
   * autocommitted statement, completes their results and wakes their local readers, handing them
   * each run's frames ({@link CommittedAttemptFrames}).
   *
   * @return the appends it did not write, in their order, for {@code tb_append_batch}
   * @throws SQLException the statement failed: none of it was written, no result completed
   */
  static List<AppendRequest> write(Connection c, Database db, List<AppendRequest> sorted) throws SQLException {
    var runs = new ArrayList<List<AppendRequest>>();
    var rest = new ArrayList<AppendRequest>();
    split(sorted, runs, rest);
    if (runs.isEmpty()) {
      return rest;
    }
    int frames = 0;
    for (var run : runs) {
      frames += run.size();
    }
    int n = runs.size();
    var eids = new UUID[n];
    var parts = new int[n];
    var attempts = new long[n];
    var leases = new UUID[n];
    var epochs = new long[n];
    var starts = new int[n];
    var lengths = new int[n];
    var bytes = new long[n];
    var frameRun = new int[frames];
    var types = new String[frames];
    var payloads = new byte[frames][];
    var correlations = new String[frames];
    int f = 0;
    for (int i = 0; i < n; i++) {
      var run = runs.get(i);
      var h = run.getFirst().handle();
      eids[i] = h.executionId().uuid();
      parts[i] = h.executionId().partition();
      attempts[i] = h.attemptIndex();
      leases[i] = h.leaseId();
      epochs[i] = h.leaseEpoch();
      starts[i] = f + 1;
      lengths[i] = run.size();
      for (var r : run) {
        bytes[i] += r.payload().length;
        frameRun[f] = starts[i];
        types[f] = r.frameType();
        payloads[f] = r.payload();
        correlations[f] = r.correlationId();
        f++;
      }
    }
    var written = new boolean[n];
    var handed = new CommittedAttemptFrames[n];
    try (var ps = c.prepareStatement(AttemptStreamSql.APPEND_RUNS)) {
      db.bindNow(ps, 1);
      ps.setLong(2, db.config().durableRetention());
      ps.setArray(3, c.createArrayOf("uuid", eids));
      // primitive and byte/String arrays go out in binary (pgjdbc's ArrayEncoding); uuid[] as text
      ps.setObject(4, parts);
      ps.setObject(5, attempts);
      ps.setArray(6, c.createArrayOf("uuid", leases));
      ps.setObject(7, epochs);
      ps.setObject(8, starts);
      ps.setObject(9, lengths);
      ps.setObject(10, bytes);
      ps.setObject(11, frameRun);
      ps.setObject(12, types);
      ps.setObject(13, payloads);
      ps.setObject(14, correlations);
      c.setAutoCommit(true);
      var outcomes = new AppendOutcome[frames];
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          int start = rs.getInt(1);
          int i = runIndex(starts, start);
          written[i] = true;
          long firstPos = rs.getLong(3);
          long countBefore = rs.getLong(4);
          handed[i] =
              CommittedAttemptFrames.of(
                  rs.getLong(2), countBefore, firstPos, rs.getLong("trimmed_pos"), rs.getLong("ts_ms"), runs.get(i));
          for (int j = 0; j < lengths[i]; j++) {
            outcomes[start - 1 + j] =
                new AppendOutcome(Positions.toId(firstPos + j), countBefore + j + 1, null, false);
          }
        }
      }
      // committed (autocommit): hand out the results, then wake local readers
      for (int i = 0; i < n; i++) {
        var run = runs.get(i);
        if (!written[i]) {
          rest.addAll(run);
          continue;
        }
        for (int j = 0; j < run.size(); j++) {
          run.get(j).result().complete(outcomes[starts[i] - 1 + j]);
        }
      }
      for (int i = 0; i < n; i++) {
        if (written[i]) {
          db.notifier().wakeLocal(handed[i]);
        }
      }
    }
    if (rest.size() > 1) {
      rest.sort(AppendRequest::lockOrder);
    }
    return rest;
  }

  /**
   * Groups consecutive appends to one stream; a group becomes a run when every append in it is
   * {@linkplain #eligible eligible} and names the same lease. A stream met twice (not sorted) goes
   * to the function entirely.
   */
  private static void split(
      List<AppendRequest> sorted, List<List<AppendRequest>> runs, List<AppendRequest> rest) {
    var seen = new HashSet<StreamKey>();
    var repeated = new HashSet<StreamKey>();
    var groups = new ArrayList<List<AppendRequest>>();
    var keys = new ArrayList<StreamKey>();
    StreamKey last = null;
    for (var r : sorted) {
      var key = StreamKey.of(r);
      if (!key.equals(last)) {
        if (!seen.add(key)) {
          repeated.add(key);
        }
        groups.add(new ArrayList<>());
        keys.add(key);
        last = key;
      }
      groups.getLast().add(r);
    }
    for (int g = 0; g < groups.size(); g++) {
      var group = groups.get(g);
      if (!repeated.contains(keys.get(g)) && isRun(group)) {
        runs.add(group);
      } else {
        rest.addAll(group);
      }
    }
  }

  private static boolean isRun(List<AppendRequest> group) {
    var h = group.getFirst().handle();
    for (var r : group) {
      if (!eligible(r)
          || !Objects.equals(r.handle().leaseId(), h.leaseId())
          || r.handle().leaseEpoch() != h.leaseEpoch()) {
        return false;
      }
    }
    return true;
  }

  private static int runIndex(int[] starts, int start) {
    int i = java.util.Arrays.binarySearch(starts, start);
    if (i < 0) {
      throw new IllegalStateException("the database answered for an unknown run at frame " + start);
    }
    return i;
  }

  /** An attempt stream's identity as a handle names it. */
  private record StreamKey(UUID execution, int partition, long attempt) {
    static StreamKey of(AppendRequest r) {
      var h = r.handle();
      return new StreamKey(h.executionId().uuid(), h.executionId().partition(), h.attemptIndex());
    }
  }
}
