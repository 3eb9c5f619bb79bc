package io.tributary.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamAppendResult.Status;
import io.tributary.api.NamedStreamCreation;
import io.tributary.api.NamedStreamProducer;
import io.tributary.api.NamedStreamSpec;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group commit of named-stream appends ({@link GroupCommitter} with {@link NamedBatchWriter}, {@code tb_ds_append_batch}):
 * appends that queue behind a busy committer share one transaction, each keeps its own producer and
 * Stream-Seq checks, a stream's appends commit in the order they were queued, nothing is lost.
 *
 * <p>To make a batch deterministic, a test holds the row lock of another stream owned by the same
 * committer thread: the committer blocks on it, the appends under test queue up behind it and go
 * out together once the lock is released.
 */
class NamedStreamGroupCommitTest {
  private static final String TEXT = "text/plain";
  private static final AtomicInteger names = new AtomicInteger();

  private static String url;
  private static Database db;
  private static PostgresNamedStreamStore store;
  private static GroupCommitter<NamedAppendRequest> committer;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("named_group_commit");
    db = Database.open(StoreConfig.builder(url).user("postgres").poolSize(4).build());
    store = new PostgresNamedStreamStore(db);
    committer = NamedBatchWriter.committer(db);
  }

  @AfterAll
  static void close() {
    committer.close();
    store.close();
    db.close();
  }

  private static String create() {
    var path = "/v1/stream/group-" + names.incrementAndGet();
    assertThat(store.create(path, NamedStreamSpec.of(TEXT)).status())
        .isEqualTo(NamedStreamCreation.Status.CREATED);
    return path;
  }

  /** A new stream served by the same committer thread as {@code path}. */
  private static String createSibling(String path) {
    while (true) {
      var other = create();
      if (Math.floorMod(other.hashCode(), NamedBatchWriter.COMMITTERS)
          == Math.floorMod(path.hashCode(), NamedBatchWriter.COMMITTERS)) {
        return other;
      }
    }
  }

  private static NamedStreamAppend data(String s) {
    return NamedStreamAppend.of(TEXT, s.getBytes(UTF_8));
  }

  private static NamedStreamAppend produced(String s, String id, long epoch, long seq) {
    return new NamedStreamAppend(TEXT, List.of(s.getBytes(UTF_8)), false, null,
        new NamedStreamProducer(id, epoch, seq));
  }

  private static NamedStreamAppend sequenced(String s, String streamSeq) {
    return new NamedStreamAppend(TEXT, List.of(s.getBytes(UTF_8)), false, streamSeq, null);
  }

  private static String text(String path) {
    var out = new StringBuilder();
    store.read(path, 0, 1 << 20).frames().forEach(f -> out.append(new String(f.payload(), UTF_8)));
    return out.toString();
  }

  /** Transactions that wrote the stream's frames. */
  private static int writingTransactions(String path) throws Exception {
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var ps = c.prepareStatement(
            "SELECT count(DISTINCT f.xmin::text) FROM tb_frame f JOIN tb_stream s ON s.id = f.stream_id"
                + " WHERE s.kind = 2 AND s.ds_path = ?")) {
      ps.setString(1, path);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Holds {@code blocker}'s row lock, queues one append to it (the committer blocks on the lock),
   * then submits {@code appends} to {@code path} in order, releases the lock and returns their
   * outcomes in submission order.
   */
  private static List<NamedStreamAppendResult> queuedBehindLock(
      String blocker, String path, List<NamedStreamAppend> appends) throws Exception {
    try (Connection lock = DriverManager.getConnection(url, "postgres", null)) {
      lock.setAutoCommit(false);
      try (var ps = lock.prepareStatement(
          "SELECT id FROM tb_stream WHERE kind = 2 AND ds_path = ? FOR UPDATE")) {
        ps.setString(1, blocker);
        ps.executeQuery().close();
      }
      var first = new NamedAppendRequest(blocker, data("blocked"), committer.deadlineFromNow() + 30_000_000_000L);
      committer.submit(first);
      awaitLockWaiter(lock);
      var requests = new ArrayList<NamedAppendRequest>();
      for (var a : appends) {
        var r = new NamedAppendRequest(path, a, System.nanoTime() + 30_000_000_000L);
        committer.submit(r);
        requests.add(r);
      }
      lock.commit();
      assertThat(first.result().get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPENDED);
      var results = new ArrayList<NamedStreamAppendResult>();
      for (var r : requests) {
        results.add(r.result().get(10, TimeUnit.SECONDS));
      }
      return results;
    }
  }

  /** Waits until some session of the database waits for a lock (the held row lock). */
  static void awaitLockWaiter(Connection c) throws Exception {
    long until = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < until) {
      try (var st = c.createStatement();
          var rs = st.executeQuery(
              "SELECT count(*) FROM pg_stat_activity"
                  + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the committer never waited for the held row lock");
  }

  @Test
  void appendsQueuedTogetherShareOneTransactionAndKeepTheirOrder() throws Exception {
    var path = create();
    var appends = new ArrayList<NamedStreamAppend>();
    var expected = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      appends.add(data("<" + i + ">"));
      expected.append("<").append(i).append(">");
    }
    var results = queuedBehindLock(createSibling(path), path, appends);

    assertThat(results).allSatisfy(r -> assertThat(r.status()).isEqualTo(Status.APPENDED));
    assertThat(text(path)).isEqualTo(expected.toString());
    assertThat(writingTransactions(path)).isEqualTo(1);
    // each append answers the tail right after its own data, though the run was one insert
    long tail = 0;
    for (int i = 0; i < results.size(); i++) {
      tail += ("<" + i + ">").length();
      assertThat(results.get(i).nextPos()).isEqualTo(tail);
    }
  }

  @Test
  void runsOfPlainAppendsAroundProducerAppendsKeepOrderAndPositions() throws Exception {
    var path = "/v1/stream/group-json-" + names.incrementAndGet();
    store.create(path, NamedStreamSpec.of("application/json"));
    var json = "application/json";
    var results =
        queuedBehindLock(
            createSibling(path),
            path,
            List.of(
                new NamedStreamAppend(json, List.of(bytes("1"), bytes("2")), false, null, null),
                new NamedStreamAppend(json, List.of(bytes("3")), false, null, null),
                new NamedStreamAppend(json, List.of(bytes("4")), false, null, new NamedStreamProducer("p", 0, 0)),
                new NamedStreamAppend(json, List.of(bytes("5")), false, null, new NamedStreamProducer("p", 0, 0)),
                new NamedStreamAppend(json, List.of(bytes("66"), bytes("7")), false, null, null),
                new NamedStreamAppend(TEXT, List.of(bytes("x")), false, null, null),
                new NamedStreamAppend(json, List.of(bytes("8")), false, null, null)));
    assertThat(results).extracting(NamedStreamAppendResult::status)
        .containsExactly(Status.APPENDED, Status.APPENDED, Status.APPENDED, Status.DUPLICATE,
            Status.APPENDED, Status.CONTENT_TYPE_MISMATCH, Status.APPENDED);
    assertThat(results).extracting(NamedStreamAppendResult::nextPos)
        .containsExactly(2L, 3L, 4L, 4L, 7L, 7L, 8L);
    assertThat(store.read(path, 0, 1 << 20).frames())
        .extracting(f -> new String(f.payload(), UTF_8))
        .containsExactly("1", "2", "3", "4", "66", "7", "8");
    assertThat(writingTransactions(path)).isEqualTo(1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void producerChecksInsideOneBatchAreAppliedPerAppend() throws Exception {
    var path = create();
    var results =
        queuedBehindLock(
            createSibling(path),
            path,
            List.of(
                produced("A", "p", 0, 0), // accepted
                produced("A", "p", 0, 0), // retry of A: duplicate, nothing written
                produced("C", "p", 0, 2), // gap: 1 expected
                produced("D", "p", 0, 1), // accepted
                produced("E", "p", 1, 0), // new epoch from 0: accepted
                produced("F", "p", 0, 2), // stale epoch
                produced("G", "p", 1, 5), // gap: 1 expected
                produced("H", "p", 2, 3), // new epoch must start at 0
                produced("I", "q", 0, 1), // a new producer must start at 0
                produced("J", "q", 0, 0), // accepted
                produced("K", "p", 1, 1))); // accepted

    assertThat(results).extracting(NamedStreamAppendResult::status)
        .containsExactly(
            Status.APPENDED, Status.DUPLICATE, Status.SEQUENCE_GAP, Status.APPENDED,
            Status.APPENDED, Status.STALE_EPOCH, Status.SEQUENCE_GAP, Status.EPOCH_SEQ_NOT_ZERO,
            Status.SEQUENCE_GAP, Status.APPENDED, Status.APPENDED);
    assertThat(results.get(1).producerSeq()).isEqualTo(0L);
    assertThat(results.get(2).producerSeq()).isEqualTo(1L);
    assertThat(results.get(5).producerEpoch()).isEqualTo(1L);
    assertThat(results.get(6).producerSeq()).isEqualTo(1L);
    assertThat(text(path)).isEqualTo("ADEJK");
    assertThat(writingTransactions(path)).isEqualTo(1);
  }

  @Test
  void streamSeqConflictsContentTypeAndCloseInsideOneBatch() throws Exception {
    var path = create();
    var results =
        queuedBehindLock(
            createSibling(path),
            path,
            List.of(
                sequenced("a", "005"),
                sequenced("b", "004"), // not above 005
                sequenced("c", "005"), // equal: conflict too
                sequenced("d", "006"),
                new NamedStreamAppend("application/json", List.of("{}".getBytes(UTF_8)), false, null, null),
                data("e"),
                new NamedStreamAppend(TEXT, List.of("f".getBytes(UTF_8)), true, null, null),
                data("g"))); // after the close

    assertThat(results).extracting(NamedStreamAppendResult::status)
        .containsExactly(
            Status.APPENDED, Status.STREAM_SEQ_CONFLICT, Status.STREAM_SEQ_CONFLICT,
            Status.APPENDED, Status.CONTENT_TYPE_MISMATCH, Status.APPENDED, Status.APPENDED,
            Status.CLOSED);
    assertThat(results.get(6).closed()).isTrue();
    assertThat(text(path)).isEqualTo("adef");
    assertThat(store.head(path).info().closed()).isTrue();
  }

  @Test
  void concurrentProducersLoseNothingAndKeepEachProducersOrder() throws Exception {
    int streams = 4;
    int producers = 16;
    int perProducer = 150;
    var paths = new ArrayList<String>();
    for (int i = 0; i < streams; i++) {
      paths.add(create());
    }
    var failures = ConcurrentHashMap.<String>newKeySet();
    try (var pool = Executors.newFixedThreadPool(producers)) {
      for (int p = 0; p < producers; p++) {
        int id = p;
        pool.submit(() -> {
          var path = paths.get(id % streams);
          for (int s = 0; s < perProducer; s++) {
            var r = store.append(path, produced(id + ":" + s + ";", "w" + id, 0, s));
            if (r.status() != Status.APPENDED) {
              failures.add(id + ":" + s + " " + r.status());
            }
          }
        });
      }
    }
    assertThat(failures).isEmpty();
    for (int i = 0; i < streams; i++) {
      var items = List.of(text(paths.get(i)).split(";"));
      assertThat(items).hasSize(producers / streams * perProducer).doesNotHaveDuplicates();
      for (int p = i; p < producers; p += streams) {
        var prefix = p + ":";
        var seqs = items.stream().filter(x -> x.startsWith(prefix))
            .map(x -> Integer.parseInt(x.substring(prefix.length()))).toList();
        assertThat(seqs).as("producer %d", p)
            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, perProducer).boxed().toList());
      }
    }
  }

  @Test
  void anAppendCommittingOnItsCallersThreadIsNotOvertakenByQueuedAppends() throws Exception {
    var path = create();
    try (Connection lock = DriverManager.getConnection(url, "postgres", null);
        var callers = Executors.newFixedThreadPool(2)) {
      lock.setAutoCommit(false);
      try (var ps = lock.prepareStatement("SELECT id FROM tb_stream WHERE kind = 2 AND ds_path = ? FOR UPDATE")) {
        ps.setString(1, path);
        ps.executeQuery().close();
      }
      // the stripe is idle: x commits on its caller's thread and waits there for the row lock
      var x = new NamedAppendRequest(path, data("x;"), committer.deadlineFromNow() + 30_000_000_000L);
      var inline = callers.submit(() -> {
        committer.commitOrSubmit(x);
        return Thread.currentThread().getName();
      });
      awaitLockWaiter(lock);
      // the stripe is busy now: these queue, and the committer's batch must wait for x's statement
      var y = new NamedAppendRequest(path, data("y;"), System.nanoTime() + 30_000_000_000L);
      var z = new NamedAppendRequest(path, data("z;"), System.nanoTime() + 30_000_000_000L);
      committer.submit(y);
      committer.submit(z);
      var w = new NamedAppendRequest(path, data("w;"), System.nanoTime() + 30_000_000_000L);
      var queued = callers.submit(() -> {
        committer.commitOrSubmit(w);
        return null;
      });
      Thread.sleep(100);
      assertThat(x.result()).as("x waits for the row lock").isNotDone();
      assertThat(y.result()).as("the queued batch waits for x's statement").isNotDone();
      lock.commit();
      assertThat(inline.get(10, TimeUnit.SECONDS)).as("x committed on its caller's thread").startsWith("pool-");
      queued.get(10, TimeUnit.SECONDS);
      for (var r : List.of(x, y, z, w)) {
        assertThat(r.result().get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.APPENDED);
      }
    }
    assertThat(text(path)).isEqualTo("x;y;z;w;");
    assertThat(writingTransactions(path)).as("x alone, then the queued ones").isBetween(2, 3);
  }

  /** A new stream whose idle-path stripe none of {@code taken} has. */
  private static String createApart(List<String> taken) {
    while (true) {
      var p = create();
      if (taken.stream().noneMatch(t -> ((t.hashCode() ^ p.hashCode()) & (GroupCommitter.STRIPES - 1)) == 0)) {
        return p;
      }
    }
  }

  /** The transactions that wrote the frames of all of {@code paths}. */
  private static int writingTransactions(List<String> paths) throws Exception {
    try (var c = DriverManager.getConnection(url, "postgres", null);
        var ps = c.prepareStatement(
            "SELECT count(DISTINCT f.xmin::text) FROM tb_frame f JOIN tb_stream s ON s.id = f.stream_id"
                + " WHERE s.kind = 2 AND s.ds_path = ANY (?)")) {
      ps.setArray(1, c.createArrayOf("text", paths.toArray()));
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void callersOnDifferentStreamsShareOneTransactionWithTheirOwnChecks() throws Exception {
    var streams = new ArrayList<String>();
    for (int i = 0; i < 5; i++) {
      streams.add(createApart(streams));
    }
    var leader = streams.get(0);
    var produced = streams.get(1);
    var gapped = streams.get(2);
    var closed = streams.get(3);
    var plain = streams.get(4);
    assertThat(store.append(gapped, produced("0", "p", 0, 0)).status()).isEqualTo(Status.APPENDED);
    assertThat(store.append(closed, new NamedStreamAppend(TEXT, List.of(), true, null, null)).status())
        .isEqualTo(Status.APPENDED);
    long far = 30_000_000_000L;
    try (var combining = new GroupCommitter<>(db, NamedBatchWriter.COMMITTERS, 1, new NamedBatchWriter(db));
        Connection lock = DriverManager.getConnection(url, "postgres", null);
        var callers = Executors.newFixedThreadPool(5)) {
      lock.setAutoCommit(false);
      try (var ps = lock.prepareStatement("SELECT id FROM tb_stream WHERE kind = 2 AND ds_path = ? FOR UPDATE")) {
        ps.setString(1, leader);
        ps.executeQuery().close();
      }
      var first = new NamedAppendRequest(leader, data("lead;"), System.nanoTime() + far);
      var leading = callers.submit(() -> {
        combining.commitOrSubmit(first);
        return null;
      });
      awaitLockWaiter(lock);
      var followers = List.of(
          new NamedAppendRequest(produced, produced("a", "p", 0, 0), System.nanoTime() + far),
          new NamedAppendRequest(gapped, produced("b", "p", 0, 2), System.nanoTime() + far),
          new NamedAppendRequest(closed, data("c"), System.nanoTime() + far),
          new NamedAppendRequest(plain, data("d"), System.nanoTime() + far));
      var calls = new ArrayList<java.util.concurrent.Future<?>>();
      for (var r : followers) {
        calls.add(callers.submit(() -> {
          combining.commitOrSubmit(r);
          return null;
        }));
      }
      long until = System.nanoTime() + 10_000_000_000L;
      while (combining.waitingCallers() < followers.size() && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertThat(combining.waitingCallers()).as("callers waiting for the leader's statement").isEqualTo(followers.size());
      lock.commit();
      leading.get(10, TimeUnit.SECONDS);
      for (var c : calls) {
        c.get(10, TimeUnit.SECONDS);
      }
      assertThat(first.result().get().status()).isEqualTo(Status.APPENDED);
      assertThat(followers).extracting(r -> r.result().get().status())
          .containsExactly(Status.APPENDED, Status.SEQUENCE_GAP, Status.CLOSED, Status.APPENDED);
    }
    assertThat(text(produced)).isEqualTo("a");
    assertThat(text(gapped)).isEqualTo("0");
    assertThat(text(closed)).isEmpty();
    assertThat(text(plain)).isEqualTo("d");
    assertThat(writingTransactions(List.of(produced, plain))).as("the callers' appends went out together").isEqualTo(1);
  }
}
