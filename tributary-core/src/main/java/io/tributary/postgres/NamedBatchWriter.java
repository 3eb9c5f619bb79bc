package io.tributary.postgres;

import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.UnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Named-stream (Durable Streams) appends for the {@link GroupCommitter}: one call of {@code
 * tb_ds_append_batch} per batch, one transaction, one WAL flush, one notification. Inside a batch
 * the function applies the appends one after the other, in queue order, each with its own producer
 * and Stream-Seq checks; a refused append writes nothing and does not affect its neighbours.
 * Should the statement itself fail (an SQL error, not a refusal), every append of the batch is
 * retried on its own, so one bad append cannot fail others.
 */
final class NamedBatchWriter implements BatchWriter<NamedAppendRequest> {
  /** Committer threads: two keep one batch committing while the next one is gathered. */
  static final int COMMITTERS = 2;

  /** Payload bytes one batch gathers at most (a single larger append still goes alone). */
  static final long MAX_BATCH_BYTES = 4L << 20;

  /** Longest a batch waits to grow back to the size of the one before it. */
  static final long LINGER_NANOS = 1_000_000;

  private static final String APPEND_BATCH =
      "SELECT r_ord, r_status, r_id, r_next_pos, r_closed, r_epoch, r_seq"
          + " FROM tb_ds_append_batch(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Database db;

  NamedBatchWriter(Database db) {
    this.db = db;
  }

  /** A committer for named-stream appends with {@link #COMMITTERS} threads. */
  static GroupCommitter<NamedAppendRequest> committer(Database db) {
    return new GroupCommitter<>(db, COMMITTERS, new NamedBatchWriter(db));
  }

  @Override
  public String threadName() {
    return "tributary-named-committer";
  }

  @Override
  public long maxBatchBytes() {
    return MAX_BATCH_BYTES;
  }

  @Override
  public long lingerNanos() {
    return LINGER_NANOS;
  }

  @Override
  public void write(Connection c, List<NamedAppendRequest> batch) {
    int n = batch.size();
    var results = new NamedStreamAppendResult[n];
    // per stream, the frames this batch committed, to hand to the stream's parked readers
    var woken = new LinkedHashMap<Long, CommittedFrames>();
    try (var ps = prepare(c, batch)) {
      c.setAutoCommit(true);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt(1);
          var status =
              NamedStreamAppendResult.Status.valueOf(rs.getString(2).toUpperCase(Locale.ROOT));
          results[i] =
              new NamedStreamAppendResult(
                  status, rs.getLong(4), rs.getBoolean(5), getLong(rs, 6), getLong(rs, 7));
          if (status == NamedStreamAppendResult.Status.APPENDED) {
            var frames =
                CommittedFrames.of(
                    rs.getLong(3), results[i].nextPos(), results[i].closed(), batch.get(i).append().messages());
            woken.merge(frames.streamId(), frames, NamedBatchWriter::chain);
          }
        }
      }
    } catch (SQLException e) {
      failed(c, batch, e);
      return;
    }
    // committed (autocommit): wake this process's readers first, so their reads run while the
    // writers' answers go out
    woken.values().forEach(db.notifier()::wakeLocal);
    for (int i = 0; i < n; i++) {
      if (results[i] == null) {
        batch.get(i).result().completeExceptionally(new IllegalStateException("no result for append"));
      } else {
        batch.get(i).result().complete(results[i]);
      }
    }
  }

  /**
   * Two appends of one stream in one batch, in order: their frames together. Appends of a batch
   * are applied in queue order under the stream's row lock, so they are contiguous; should they
   * not be, the readers get no frames and read for themselves.
   */
  private static CommittedFrames chain(CommittedFrames earlier, CommittedFrames later) {
    var both = earlier.then(later);
    return both != null ? both : new CommittedFrames(later.streamId(), -1, later.nextPos(), later.closed(), List.of());
  }

  private void failed(Connection c, List<NamedAppendRequest> batch, SQLException e) {
    if (batch.size() > 1 && !CommitFailure.isConnectionFailure(e) && !CommitFailure.outcomeUnknown(e)) {
      // the batch rolled back as a whole: retry each append on its own, in order
      for (var r : batch) {
        write(c, List.of(r));
      }
      return;
    }
    RuntimeException ex;
    if (CommitFailure.outcomeUnknown(e)) {
      ex =
          new UnavailableException(
              "the database connection broke while appending to named stream "
                  + batch.getFirst().path() + "; " + CommitFailure.OUTCOME_UNKNOWN
                  + " (retry with producer headers to append once): " + e.getMessage(),
              true,
              e);
    } else {
      ex = GroupCommitter.notStored("the database refused the append (" + e.getMessage() + ")");
    }
    batch.forEach(r -> r.result().completeExceptionally(ex));
  }

  private PreparedStatement prepare(Connection c, List<NamedAppendRequest> batch)
      throws SQLException {
    int n = batch.size();
    var paths = new String[n];
    var media = new String[n];
    var counts = new Integer[n];
    var closes = new Boolean[n];
    var seqs = new String[n];
    var producers = new String[n];
    var epochs = new Long[n];
    var producerSeqs = new Long[n];
    var messages = new ArrayList<byte[]>(n);
    for (int i = 0; i < n; i++) {
      var a = batch.get(i).append();
      paths[i] = batch.get(i).path();
      media[i] = NamedStreamInfo.mediaTypeOf(a.contentType());
      counts[i] = a.messages().size();
      messages.addAll(a.messages());
      closes[i] = a.close();
      seqs[i] = a.streamSeq();
      var p = a.producer();
      producers[i] = p == null ? null : p.id();
      epochs[i] = p == null ? null : p.epoch();
      producerSeqs[i] = p == null ? null : p.seq();
    }
    var ps = c.prepareStatement(APPEND_BATCH);
    try {
      ps.setArray(1, c.createArrayOf("text", paths));
      db.bindNow(ps, 2);
      ps.setArray(3, c.createArrayOf("text", media));
      ps.setArray(4, c.createArrayOf("int4", counts));
      ps.setArray(5, c.createArrayOf("bytea", messages.toArray(byte[][]::new)));
      ps.setArray(6, c.createArrayOf("bool", closes));
      ps.setArray(7, c.createArrayOf("text", seqs));
      ps.setArray(8, c.createArrayOf("text", producers));
      ps.setArray(9, c.createArrayOf("int8", epochs));
      ps.setArray(10, c.createArrayOf("int8", producerSeqs));
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  private static Long getLong(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }
}
