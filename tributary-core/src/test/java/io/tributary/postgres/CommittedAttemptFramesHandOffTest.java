package io.tributary.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.api.AttemptRef;
import io.tributary.api.BestEffortLiveConfig;
import io.tributary.api.CloseReason;
import io.tributary.api.EntryId;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamFrame;
import io.tributary.api.StreamFrames;
import io.tributary.api.StreamMode;
import io.tributary.api.TailOptions;
import io.tributary.api.TailVisibility;
import io.tributary.testing.EmbeddedPostgres;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An attempt stream's plain durable appends (the lone statement and the runs) hand the frames
 * they committed to this process's parked tails: a tail at the stream's tail, with nothing else
 * appended since its last read, answers with them, field for field what a read returns; any other
 * tail queries; other processes' appends still wake through the notification, and nothing is lost
 * or reordered when two processes append at once.
 *
 * <p>A handed frame carries the very payload array of the append, a queried one a fresh copy:
 * that is how these tests tell the two apart.
 */
class CommittedAttemptFramesHandOffTest {
  private static final int CAP = 1000;
  private static final int SMALL_CAP = 2;
  private static PostgresStreamStore local;
  private static PostgresStreamStore remote;
  private static PostgresStreamStore capped;

  @BeforeAll
  static void open() {
    var url = EmbeddedPostgres.createDatabase("attempt_handoff");
    // a re-check far beyond every wait below: only a wake (local or notified) ends a park
    local = open(url, CAP);
    remote = open(url, CAP);
    capped = open(EmbeddedPostgres.createDatabase("attempt_handoff_capped"), SMALL_CAP);
  }

  private static PostgresStreamStore open(String url, int cap) {
    return PostgresStreamStore.open(
        StoreConfig.builder(url)
            .user("postgres")
            .durableRetention(cap)
            .tailRecheckInterval(Duration.ofMinutes(5))
            .build());
  }

  @AfterAll
  static void close() {
    local.close();
    remote.close();
    capped.close();
  }

  private static Handle start(PostgresStreamStore store) {
    return store.startAttempt(ExecutionId.random(3), Duration.ofMinutes(5));
  }

  private static AttemptRef ref(Handle h) {
    return new AttemptRef(h.executionId(), h.attemptIndex());
  }

  private static AppendRequest request(Handle h, Frame f) {
    return AppendRequest.of(h, f, f.payload(), System.nanoTime() + 10_000_000_000L);
  }

  private static AppendRequest durable(Handle h, String text) {
    return request(h, Frame.of("log", text).withCorrelationId("c-" + text));
  }

  /** Commits {@code batch} as one group-commit batch of {@code store}'s committer would. */
  private static void write(PostgresStreamStore store, List<AppendRequest> batch) {
    try (Connection c = store.database().dataSource().getConnection()) {
      new AttemptBatchWriter(store.database()).write(c, new ArrayList<>(batch));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    for (var r : batch) {
      assertThat(r.result()).isCompleted();
    }
  }

  private static int parked(PostgresStreamStore s) {
    return s.database().notifier().parkedReaders();
  }

  /** Parks a tail of {@code h} after {@code after} on {@code store}, then runs {@code append}. */
  private static StreamFrames wokenBy(
      PostgresStreamStore store, Handle h, EntryId after, TailOptions options, Runnable append)
      throws Exception {
    return ParkedReaders.wokenBy(
        store.database().notifier(), () -> store.tail(ref(h), StreamCursor.at(after), options), append);
  }

  private static TailOptions waiting() {
    return TailOptions.waitingUpTo(Duration.ofSeconds(20));
  }

  private static EntryId lastId(PostgresStreamStore store, Handle h) {
    return store.head(h.executionId(), h.attemptIndex()).orElseThrow().lastId();
  }

  private static StreamFrames readFrom(PostgresStreamStore store, Handle h, EntryId first, int limit) {
    return store.read(h.executionId(), h.attemptIndex(), StreamCursor.at(first), new StreamCursor.End(), limit);
  }

  private static List<String> texts(List<StreamFrame> frames) {
    return frames.stream().map(f -> new String(f.payload(), UTF_8)).toList();
  }

  private static void assertHanded(StreamFrames woken, List<AppendRequest> appends) {
    assertThat(woken.frames()).hasSize(appends.size());
    for (int i = 0; i < appends.size(); i++) {
      assertThat(woken.frames().get(i).payload()).as("handed, not read back").isSameAs(appends.get(i).payload());
    }
  }

  private static void assertAsRead(PostgresStreamStore store, Handle h, StreamFrames woken, int limit) {
    var read = readFrom(store, h, woken.frames().getFirst().id(), limit);
    assertThat(woken).usingRecursiveComparison().isEqualTo(read);
  }

  @Test
  @DisplayName("a tail at the tail woken by a lone append answers with its frame, as a read returns it")
  void aLoneAppendIsHandedAsAReadReturnsIt() throws Exception {
    var h = start(local);
    write(local, List.of(durable(h, "before")));
    var one = durable(h, "one");
    var woken = wokenBy(local, h, lastId(local, h), waiting(), () -> write(local, List.of(one)));
    assertHanded(woken, List.of(one));
    assertAsRead(local, h, woken, 100);
    assertThat(woken.frames().getFirst().correlationId()).isEqualTo("c-one");
    assertThat(woken.frames().getFirst().mode()).isEqualTo("durable");
  }

  @Test
  @DisplayName("a tail at the tail woken by a run answers with its frames, as a read returns them")
  void aRunIsHandedAsAReadReturnsIt() throws Exception {
    var h = start(local);
    var run = List.of(durable(h, "a"), durable(h, "b"), request(h, Frame.of("", "c")));
    var woken = wokenBy(local, h, EntryId.ZERO, waiting(), () -> write(local, run));
    assertHanded(woken, run);
    assertAsRead(local, h, woken, 100);
    assertThat(texts(woken.frames())).containsExactly("a", "b", "c");
  }

  @Test
  @DisplayName("appends that trim at the cap hand over the watermark a read reports")
  void trimsAtTheCapHandTheWatermarkAReadReports() throws Exception {
    var h = start(capped);
    write(capped, List.of(durable(h, "x"), durable(h, "y")));
    var one = durable(h, "z");
    var woken = wokenBy(capped, h, lastId(capped, h), waiting(), () -> write(capped, List.of(one)));
    assertHanded(woken, List.of(one));
    assertAsRead(capped, h, woken, 100);
    assertThat(woken.durableTrimmedThrough()).isNotEqualTo(EntryId.ZERO);
    var run = List.of(durable(h, "p"), durable(h, "q"));
    var woken2 = wokenBy(capped, h, lastId(capped, h), waiting(), () -> write(capped, run));
    assertHanded(woken2, run);
    assertAsRead(capped, h, woken2, 100);
    assertThat(woken2.durableTrimmedThrough()).isGreaterThan(woken.durableTrimmedThrough());
  }

  @Test
  @DisplayName("a tail whose limit a run exceeds reads, and gets what a read with that limit gets")
  void aTailWithASmallLimitReads() throws Exception {
    var h = start(local);
    var run = List.of(durable(h, "a"), durable(h, "b"), durable(h, "c"));
    var woken = wokenBy(local, h, EntryId.ZERO, waiting().withLimit(2), () -> write(local, run));
    assertThat(texts(woken.frames())).containsExactly("a", "b");
    assertThat(woken.frames().getFirst().payload()).isNotSameAs(run.getFirst().payload());
    assertAsRead(local, h, woken, 2);
  }

  @Test
  @DisplayName("a filtered tail that skipped a best-effort frame still takes the next durable append")
  void aFilteredTailCountsWhatItSkipped() throws Exception {
    var h = start(local);
    write(local, List.of(durable(h, "before")));
    var from = lastId(local, h);
    var be = request(h, Frame.of("live", "blink").withMode(new StreamMode.BestEffortLive(BestEffortLiveConfig.withTtl(60_000))));
    var after = durable(h, "after");
    var options = waiting().withVisibility(TailVisibility.EXCLUDE_BEST_EFFORT);
    var woken =
        wokenBy(
            local,
            h,
            from,
            options,
            () -> {
              write(local, List.of(be));
              // the best-effort wake makes the tail re-query and park again before the next append
              await().pollDelay(Duration.ofMillis(200)).atMost(5, TimeUnit.SECONDS).until(() -> parked(local) > 0);
              write(local, List.of(after));
            });
    assertThat(texts(woken.frames())).containsExactly("after");
    var peek = local.tail(ref(h), StreamCursor.at(from), TailOptions.peek().withVisibility(TailVisibility.EXCLUDE_BEST_EFFORT));
    assertThat(woken).usingRecursiveComparison().isEqualTo(peek);
    // an unfiltered tail at the same cursor gets the best-effort frame first
    var all = local.tail(ref(h), StreamCursor.at(from), TailOptions.peek());
    assertThat(texts(all.frames())).containsExactly("blink", "after");
  }

  @Test
  @DisplayName("a tail past the stream's tail is not answered by frames below its cursor")
  void aTailAheadOfTheFramesKeepsWaiting() throws Exception {
    var h = start(local);
    var ahead = new EntryId(System.currentTimeMillis() + 3_600_000, 0);
    var woken =
        wokenBy(
            local,
            h,
            ahead,
            TailOptions.waitingUpTo(Duration.ofSeconds(2)),
            () -> write(local, List.of(durable(h, "a"), durable(h, "b"))));
    assertThat(woken.frames()).isEmpty();
  }

  @Test
  @DisplayName("handed frames answer only a tail of their stream that saw the count before them")
  void committedFramesAnswerOnlyTheReadTheyAre() {
    var h = start(local);
    var appends = List.of(durable(h, "a"), durable(h, "b"));
    long first = 100L << 16;
    var frames = CommittedAttemptFrames.of(7, 5, first, 3, 100, appends);
    assertThat(frames.frames().get(1).id()).isEqualTo(Positions.toId(first + 1));
    assertThat(frames.readFor(7, 5, first, 10)).isNotNull();
    assertThat(frames.readFor(7, 5, first - 10, 10)).as("a cursor below them, nothing between").isNotNull();
    assertThat(frames.readFor(8, 5, first, 10)).as("another stream").isNull();
    assertThat(frames.readFor(7, 4, first, 10)).as("a frame appended in between").isNull();
    assertThat(frames.readFor(7, 5, first + 1, 10)).as("a cursor past their start").isNull();
    assertThat(frames.readFor(7, 5, first, 1)).as("over the limit").isNull();
    assertThat(frames.readFor(7, 5, 3, 10)).as("trimmed at the cursor").isNull();
  }

  @Test
  @DisplayName("tails of both processes get every frame in order while both processes append")
  void nothingIsLostWhileTwoProcessesAppend() throws Exception {
    var h = start(local);
    int perWriter = 120;
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var readers = new ArrayList<Future<List<StreamFrame>>>();
      for (var store : List.of(local, remote)) {
        readers.add(
            exec.submit(
                () -> {
                  var got = new ArrayList<StreamFrame>();
                  var pos = EntryId.ZERO;
                  while (got.size() < 2 * perWriter) {
                    var r = store.tail(ref(h), StreamCursor.at(pos), waiting());
                    assertThat(r.frames()).as("a wake was missed: the 20 s wait ran out").isNotEmpty();
                    got.addAll(r.frames());
                    pos = r.frames().getLast().id();
                  }
                  return got;
                }));
      }
      var writers = new ArrayList<Future<?>>();
      for (var store : List.of(local, remote)) {
        String who = store == local ? "L" : "R";
        writers.add(
            exec.submit(
                () -> {
                  // bursts of async appends, so that the committer also writes runs
                  for (int i = 0; i < perWriter; i += 4) {
                    var pending = new ArrayList<java.util.concurrent.CompletableFuture<?>>();
                    for (int j = i; j < i + 4; j++) {
                      pending.add(store.appendAsync(h, Frame.of("log", who + j)));
                    }
                    for (var p : pending) {
                      p.get(10, TimeUnit.SECONDS);
                    }
                  }
                  return null;
                }));
      }
      for (var w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }
      var all = local.read(h.executionId(), h.attemptIndex(), new StreamCursor.Start(), new StreamCursor.End(), 1000);
      assertThat(all.frames()).hasSize(2 * perWriter);
      for (var r : readers) {
        var got = r.get(60, TimeUnit.SECONDS);
        assertThat(got).usingRecursiveFieldByFieldElementComparator().isEqualTo(all.frames());
      }
    }
  }

  @Test
  @DisplayName("a tail of a stream tailed before registers first and still answers what is there, then what comes")
  void aKnownStreamsTailReadsOnceAndStillAnswers() throws Exception {
    var h = start(local);
    var first = durable(h, "first");
    var woken = wokenBy(local, h, EntryId.ZERO, waiting(), () -> write(local, List.of(first)));
    assertHanded(woken, List.of(first));
    // appended while nobody tails: the next tail (registered before its one read) must see it
    write(local, List.of(durable(h, "meanwhile")));
    var next = local.tail(ref(h), StreamCursor.at(woken.frames().getLast().id()), waiting());
    assertThat(texts(next.frames())).containsExactly("meanwhile");
    var run = List.of(durable(h, "x"), durable(h, "y"));
    var later = wokenBy(local, h, next.frames().getLast().id(), waiting(), () -> write(local, run));
    assertHanded(later, run);
    assertAsRead(local, h, later, 100);
  }

  @Test
  @DisplayName("closing the attempt still wakes a parked tail")
  void closeWakesAParkedTail() throws Exception {
    var h = start(remote);
    var woken = wokenBy(remote, h, EntryId.ZERO, waiting(), () -> remote.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS));
    assertThat(woken.frames()).isEmpty();
    assertThat(woken.isClosed()).isTrue();
  }
}
