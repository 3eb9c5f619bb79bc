package io.tributary.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamCreation;
import io.tributary.api.NamedStreamDeletion;
import io.tributary.api.NamedStreamFork;
import io.tributary.api.NamedStreamFrame;
import io.tributary.api.NamedStreamProducer;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamSpec;
import io.tributary.api.NamedStreamStore;
import io.tributary.testing.SettableClock;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Behaviour every {@link NamedStreamStore} backend must show: create (idempotent, conflicts,
 * replacing expired streams), append (content type, Stream-Seq, idempotent producers with their
 * epoch and sequence rules), read and await (positions, paging, waking across store instances),
 * close, fork, delete (soft while forks read) and expiry (sliding TTL, absolute expiry).
 *
 * <p>A backend test extends this class and supplies stores on one storage of its own. One store
 * serves the whole class, on a {@link SettableClock}, so nothing sleeps for a TTL to pass; every
 * test works on fresh paths. Waits for a parked reader use the {@link #parkedReaders} probe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class NamedStreamStoreContract {
  private static final String TEXT = "text/plain";
  private static final String JSON = "application/json";
  private static final AtomicInteger names = new AtomicInteger();

  /**
   * A new store on the class's storage, driven by {@code clock}; the caller closes it. Two stores
   * opened here behave like two processes (own connections, own wake-ups).
   */
  protected abstract NamedStreamStore openStore(Clock clock);

  /** Readers of {@code store} registered for wake-ups (parked or about to park). */
  protected abstract int parkedReaders(NamedStreamStore store);

  private final SettableClock clock = new SettableClock(1_800_000_000_000L);
  private NamedStreamStore store;

  @BeforeAll
  void open() {
    store = openStore(clock);
  }

  @AfterAll
  void close() {
    store.close();
  }

  private static String path() {
    return "/v1/stream/store-test-" + names.incrementAndGet();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(NamedStreamRead r) {
    var out = new ByteArrayOutputStream();
    r.frames().forEach(f -> out.writeBytes(f.payload()));
    return out.toString(UTF_8);
  }

  private static List<String> messages(NamedStreamRead r) {
    return r.frames().stream().map(f -> new String(f.payload(), UTF_8)).toList();
  }

  private NamedStreamAppendResult append(String path, String data) {
    return store.append(path, NamedStreamAppend.of(TEXT, bytes(data)));
  }

  private NamedStreamAppendResult produce(
      String path, String data, String producer, long epoch, long seq) {
    return store.append(
        path,
        new NamedStreamAppend(
            TEXT, List.of(bytes(data)), false, null, new NamedStreamProducer(producer, epoch, seq)));
  }

  private NamedStreamCreation fork(String path, String source, Long offset, long sub) {
    return store.create(
        path,
        new NamedStreamSpec(null, null, null, false, List.of(), new NamedStreamFork(source, offset, sub)));
  }

  @Test
  void createIsIdempotentForTheSameConfigAndConflictsOtherwise() {
    var p = path();
    var created = store.create(p, NamedStreamSpec.of("Text/Plain; charset=utf-8"));
    assertThat(created.status()).isEqualTo(NamedStreamCreation.Status.CREATED);
    assertThat(created.info().contentType()).isEqualTo("Text/Plain; charset=utf-8");
    assertThat(created.info().tailPos()).isZero();

    assertThat(store.create(p, NamedStreamSpec.of("text/plain")).status())
        .isEqualTo(NamedStreamCreation.Status.EXISTS);
    var conflict = store.create(p, NamedStreamSpec.of(JSON));
    assertThat(conflict.status()).isEqualTo(NamedStreamCreation.Status.CONFLICT);
    assertThat(conflict.detail()).contains("different configuration");
    var withTtl = new NamedStreamSpec(TEXT, 60L, null, false, List.of(), null);
    assertThat(store.create(p, withTtl).status()).isEqualTo(NamedStreamCreation.Status.CONFLICT);
  }

  @Test
  void positionsAreByteOffsetsAndReadsResumeFromAnyOfThem() {
    var p = path();
    var spec = new NamedStreamSpec(TEXT, null, null, false, List.of(bytes("hello")), null);
    assertThat(store.create(p, spec).info().tailPos()).isEqualTo(5);
    assertThat(append(p, " world").nextPos()).isEqualTo(11);

    var all = store.read(p, 0, 1 << 20);
    assertThat(text(all)).isEqualTo("hello world");
    assertThat(all.nextPos()).isEqualTo(11);
    assertThat(all.upToDate()).isTrue();
    assertThat(text(store.read(p, 5, 1 << 20))).isEqualTo(" world");
    assertThat(text(store.read(p, 3, 1 << 20))).as("inside a frame").isEqualTo("lo world");
    var atTail = store.read(p, 11, 1 << 20);
    assertThat(atTail.frames()).isEmpty();
    assertThat(atTail.upToDate()).isTrue();
    assertThat(store.read(p, 12, 1 << 20).status()).isEqualTo(NamedStreamRead.Status.BEYOND_TAIL);
    var fromTail = store.read(p, NamedStreamStore.TAIL, 1 << 20);
    assertThat(fromTail.frames()).isEmpty();
    assertThat(fromTail.nextPos()).isEqualTo(11);
  }

  @Test
  void readsArePagedByBytesButAlwaysReturnAFrame() {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    append(p, "aaaa");
    append(p, "bbbb");
    append(p, "cccc");
    var page = store.read(p, 0, 8);
    assertThat(text(page)).isEqualTo("aaaabbbb");
    assertThat(page.upToDate()).isFalse();
    var big = store.read(p, 8, 1);
    assertThat(text(big)).isEqualTo("cccc");
    assertThat(big.upToDate()).isTrue();
  }

  @Test
  void streamSeqMustIncreaseByteWise() {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    var seq = (java.util.function.Function<String, NamedStreamAppendResult.Status>)
        s -> store.append(p, new NamedStreamAppend(TEXT, List.of(bytes("x")), false, s, null)).status();
    assertThat(seq.apply("09")).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(seq.apply("10")).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(seq.apply("2")).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(seq.apply("10")).isEqualTo(NamedStreamAppendResult.Status.STREAM_SEQ_CONFLICT);
    assertThat(seq.apply("2")).isEqualTo(NamedStreamAppendResult.Status.STREAM_SEQ_CONFLICT);
    assertThat(seq.apply("B")).as("'B' sorts after '2'").isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(seq.apply("a")).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(seq.apply("B")).as("uppercase sorts before lowercase").isEqualTo(NamedStreamAppendResult.Status.STREAM_SEQ_CONFLICT);
    assertThat(text(store.read(p, 0, 1 << 20))).isEqualTo("xxxxx");
  }

  @Test
  void producersAreDeduplicatedFencedAndCheckedForGaps() {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    assertThat(produce(p, "a0", "A", 0, 0).status()).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(produce(p, "a1", "A", 0, 1).status()).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    var dup = produce(p, "a0 again", "A", 0, 0);
    assertThat(dup.status()).isEqualTo(NamedStreamAppendResult.Status.DUPLICATE);
    assertThat(dup.producerSeq()).as("highest accepted, not the request's").isEqualTo(1);
    var gap = produce(p, "a3", "A", 0, 3);
    assertThat(gap.status()).isEqualTo(NamedStreamAppendResult.Status.SEQUENCE_GAP);
    assertThat(gap.producerSeq()).isEqualTo(2);
    assertThat(produce(p, "b", "B", 0, 1).status())
        .as("a new producer starts at 0")
        .isEqualTo(NamedStreamAppendResult.Status.SEQUENCE_GAP);
    assertThat(produce(p, "x", "A", 1, 4).status())
        .isEqualTo(NamedStreamAppendResult.Status.EPOCH_SEQ_NOT_ZERO);
    assertThat(produce(p, "a'0", "A", 1, 0).status()).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    var stale = produce(p, "zombie", "A", 0, 2);
    assertThat(stale.status()).isEqualTo(NamedStreamAppendResult.Status.STALE_EPOCH);
    assertThat(stale.producerEpoch()).isEqualTo(1);
    assertThat(text(store.read(p, 0, 1 << 20))).isEqualTo("a0a1a'0");
  }

  @Test
  void closingIsPermanentAndAProducersCloseCanBeRetried() {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    append(p, "data");
    var close =
        new NamedStreamAppend(
            TEXT, List.of(bytes("last")), true, null, new NamedStreamProducer("P", 0, 0));
    var closed = store.append(p, close);
    assertThat(closed.status()).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(closed.closed()).isTrue();
    assertThat(closed.nextPos()).isEqualTo(8);

    var retry = store.append(p, close);
    assertThat(retry.status()).isEqualTo(NamedStreamAppendResult.Status.DUPLICATE);
    assertThat(retry.closed()).isTrue();
    var other =
        store.append(
            p, new NamedStreamAppend(TEXT, List.of(bytes("x")), true, null, new NamedStreamProducer("P", 0, 1)));
    assertThat(other.status()).isEqualTo(NamedStreamAppendResult.Status.CLOSED);
    assertThat(other.nextPos()).isEqualTo(8);
    assertThat(append(p, "more").status()).isEqualTo(NamedStreamAppendResult.Status.CLOSED);
    var closeOnly = new NamedStreamAppend(null, List.of(), true, null, null);
    assertThat(store.append(p, closeOnly).status()).isEqualTo(NamedStreamAppendResult.Status.ALREADY_CLOSED);

    var end = store.read(p, 0, 1 << 20);
    assertThat(text(end)).isEqualTo("datalast");
    assertThat(end.endOfStream()).isTrue();
  }

  @Test
  void appendsMustMatchTheContentTypeUnlessCloseOnly() {
    var p = path();
    store.create(p, NamedStreamSpec.of(JSON));
    assertThat(store.append(p, NamedStreamAppend.of(TEXT, bytes("x"))).status())
        .isEqualTo(NamedStreamAppendResult.Status.CONTENT_TYPE_MISMATCH);
    assertThat(store.append(p, NamedStreamAppend.of("APPLICATION/JSON; charset=utf-8", bytes("1"))).status())
        .isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(store.append(p, new NamedStreamAppend(TEXT, List.of(), true, null, null)).status())
        .isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(store.append(path(), NamedStreamAppend.of(TEXT, bytes("x"))).status())
        .isEqualTo(NamedStreamAppendResult.Status.NOT_FOUND);
  }

  @Test
  void jsonStreamsKeepOneFramePerMessage() {
    var p = path();
    var spec = new NamedStreamSpec(JSON, null, null, false, List.of(bytes("{\"a\":1}"), bytes("{\"b\":2}")), null);
    store.create(p, spec);
    store.append(p, new NamedStreamAppend(JSON, List.of(bytes("[1,2]"), bytes("3")), false, null, null));
    var all = store.read(p, 0, 1 << 20);
    assertThat(messages(all)).containsExactly("{\"a\":1}", "{\"b\":2}", "[1,2]", "3");
    assertThat(messages(store.read(p, 3, 1 << 20)))
        .as("a position inside a message skips it")
        .containsExactly("{\"b\":2}", "[1,2]", "3");
  }

  @Test
  void forksReadTheirSourcePrefixThenTheirOwnAppends() {
    var src = path();
    store.create(src, new NamedStreamSpec(TEXT, null, null, false, List.of(bytes("AB")), null));
    var mid = store.read(src, 0, 1 << 20).nextPos();
    append(src, "CD");
    var f = path();
    var created = fork(f, src, mid, 0);
    assertThat(created.status()).isEqualTo(NamedStreamCreation.Status.CREATED);
    assertThat(created.info().contentType()).as("inherited").isEqualTo(TEXT);
    assertThat(created.info().tailPos()).isEqualTo(2);
    append(f, "xy");
    append(src, "EF");
    assertThat(text(store.read(f, 0, 1 << 20))).isEqualTo("ABxy");
    assertThat(text(store.read(f, 1, 1 << 20))).isEqualTo("Bxy");
    assertThat(text(store.read(src, 0, 1 << 20))).isEqualTo("ABCDEF");

    var g = path();
    fork(g, f, null, 0);
    append(g, "!");
    assertThat(text(store.read(g, 0, 1 << 20))).isEqualTo("ABxy!");
    assertThat(fork(g, f, null, 0).status()).isEqualTo(NamedStreamCreation.Status.EXISTS);
    assertThat(fork(g, f, 0L, 0).status()).isEqualTo(NamedStreamCreation.Status.CONFLICT);
  }

  @Test
  void subOffsetsSplitAByteFrameOrCountJsonMessages() {
    var src = path();
    store.create(src, new NamedStreamSpec(TEXT, null, null, false, List.of(bytes("abcdef")), null));
    var f1 = path();
    assertThat(fork(f1, src, 0L, 4).info().tailPos()).isEqualTo(4);
    var f2 = path();
    fork(f2, f1, 0L, 2);
    append(f2, "Z");
    assertThat(text(store.read(f1, 0, 1 << 20))).isEqualTo("abcd");
    assertThat(text(store.read(f2, 0, 1 << 20))).isEqualTo("abZ");
    assertThat(fork(path(), src, 0L, 7).status()).isEqualTo(NamedStreamCreation.Status.BAD_FORK_OFFSET);
    assertThat(fork(path(), src, 99L, 0).status()).isEqualTo(NamedStreamCreation.Status.BAD_FORK_OFFSET);

    var js = path();
    var batch = List.of(bytes("{\"a\":1}"), bytes("{\"b\":2}"), bytes("{\"c\":3}"));
    store.create(js, new NamedStreamSpec(JSON, null, null, false, batch, null));
    var jf = path();
    fork(jf, js, 0L, 2);
    assertThat(messages(store.read(jf, 0, 1 << 20))).containsExactly("{\"a\":1}", "{\"b\":2}");
    assertThat(fork(path(), js, 0L, 4).status()).isEqualTo(NamedStreamCreation.Status.BAD_FORK_OFFSET);
    assertThat(fork(path(), js, 3L, 0).status())
        .as("not a message boundary")
        .isEqualTo(NamedStreamCreation.Status.BAD_FORK_OFFSET);
  }

  @Test
  void forkRefusals() {
    var src = path();
    store.create(src, NamedStreamSpec.of(TEXT));
    assertThat(fork(path(), "/v1/stream/missing-" + names.incrementAndGet(), null, 0).status())
        .isEqualTo(NamedStreamCreation.Status.SOURCE_NOT_FOUND);
    var json =
        new NamedStreamSpec(JSON, null, null, false, List.of(), new NamedStreamFork(src, null, 0));
    var mismatch = path();
    assertThat(store.create(mismatch, json).status()).isEqualTo(NamedStreamCreation.Status.CONTENT_TYPE_MISMATCH);
    assertThat(store.delete(src)).as("the refused fork holds no reference").isEqualTo(NamedStreamDeletion.DELETED);
    assertThat(store.head(src).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
  }

  @Test
  void deletingASourceWithForksSoftDeletesItUntilTheLastForkGoes() {
    var l0 = path();
    store.create(l0, new NamedStreamSpec(TEXT, null, null, false, List.of(bytes("A")), null));
    var l1 = path();
    fork(l1, l0, null, 0);
    append(l1, "B");
    var l2 = path();
    fork(l2, l1, null, 0);

    assertThat(store.delete(l0)).isEqualTo(NamedStreamDeletion.DELETED);
    assertThat(store.delete(l1)).isEqualTo(NamedStreamDeletion.DELETED);
    assertThat(store.head(l0).status()).isEqualTo(NamedStreamRead.Status.GONE);
    assertThat(store.delete(l0)).isEqualTo(NamedStreamDeletion.GONE);
    assertThat(store.append(l1, NamedStreamAppend.of(TEXT, bytes("x"))).status())
        .isEqualTo(NamedStreamAppendResult.Status.GONE);
    assertThat(store.create(l0, NamedStreamSpec.of(TEXT)).status()).isEqualTo(NamedStreamCreation.Status.CONFLICT);
    assertThat(fork(path(), l1, null, 0).status()).isEqualTo(NamedStreamCreation.Status.SOURCE_GONE);
    assertThat(text(store.read(l2, 0, 1 << 20))).isEqualTo("AB");

    assertThat(store.delete(l2)).isEqualTo(NamedStreamDeletion.DELETED);
    assertThat(store.head(l2).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    assertThat(store.head(l1).status()).as("cascade").isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    assertThat(store.head(l0).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    assertThat(store.create(l0, NamedStreamSpec.of(TEXT)).status()).isEqualTo(NamedStreamCreation.Status.CREATED);
    assertThat(store.read(l0, 0, 1 << 20).frames()).as("a new stream, no old data").isEmpty();
  }

  @Test
  void slidingTtlIsRefreshedByReadsAndWritesButNotByHead() {
    var p = path();
    store.create(p, new NamedStreamSpec(TEXT, 2L, null, false, List.of(), null));
    clock.advance(1_500);
    assertThat(store.head(p).status()).isEqualTo(NamedStreamRead.Status.OK);
    append(p, "keep");
    clock.advance(1_500);
    assertThat(store.read(p, 0, 100).status()).isEqualTo(NamedStreamRead.Status.OK);
    clock.advance(1_500);
    assertThat(store.head(p).status()).isEqualTo(NamedStreamRead.Status.OK);
    clock.advance(600);
    assertThat(store.head(p).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    assertThat(store.create(p, NamedStreamSpec.of(JSON)).status())
        .as("an expired URL can be reused")
        .isEqualTo(NamedStreamCreation.Status.CREATED);
  }

  @Test
  void createReplacesAnExpiredStreamAndForkingItFindsNothing() {
    var p = path();
    store.create(p, new NamedStreamSpec(TEXT, 1L, null, false, List.of(bytes("old")), null));
    clock.advance(1_000);
    assertThat(fork(path(), p, null, 0).status()).isEqualTo(NamedStreamCreation.Status.SOURCE_NOT_FOUND);
    store.create(p, new NamedStreamSpec(TEXT, 1L, null, false, List.of(bytes("old")), null));
    clock.advance(1_000);
    var replaced = store.create(p, NamedStreamSpec.of(JSON));
    assertThat(replaced.status()).isEqualTo(NamedStreamCreation.Status.CREATED);
    assertThat(store.read(p, 0, 100).frames()).isEmpty();
  }

  @Test
  void absoluteExpiryIsNeverExtendedAndForksInheritIt() {
    var src = path();
    long expires = clock.millis() + 3_000;
    store.create(src, new NamedStreamSpec(TEXT, null, expires, false, List.of(bytes("s")), null));
    var f = path();
    var forked = fork(f, src, null, 0);
    assertThat(forked.info().expiresAtMs()).isEqualTo(expires);
    clock.advance(2_000);
    append(src, "more");
    clock.advance(1_000);
    assertThat(store.read(f, 0, 100).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    assertThat(store.read(src, 0, 100).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
  }

  @Test
  void anExpiredSourceWithALiveForkIsGoneButStillReadThroughTheFork() {
    var src = path();
    store.create(src, new NamedStreamSpec(TEXT, 1L, null, false, List.of(bytes("kept")), null));
    var f = path();
    store.create(
        f, new NamedStreamSpec(null, 60L, null, false, List.of(), new NamedStreamFork(src, null, 0)));
    clock.advance(1_000);
    assertThat(store.head(src).status()).isEqualTo(NamedStreamRead.Status.GONE);
    assertThat(text(store.read(f, 0, 100))).isEqualTo("kept");
    assertThat(store.delete(f)).isEqualTo(NamedStreamDeletion.DELETED);
    assertThat(store.head(src).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    assertThat(store.expireStreams(100)).isGreaterThanOrEqualTo(0);
  }

  @Test
  void awaitReturnsWhenAnotherProcessAppends() throws Exception {
    try (var remote = openStore(clock)) {
      var p = path();
      store.create(p, NamedStreamSpec.of(TEXT));
      int parked = parkedReaders(store);
      var started = System.nanoTime();
      try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
        var waiting = exec.submit(() -> store.await(p, 0, 1 << 20, Duration.ofSeconds(10)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> parkedReaders(store) > parked);
        remote.append(p, NamedStreamAppend.of(TEXT, bytes("ping")));
        var r = waiting.get(5, TimeUnit.SECONDS);
        assertThat(text(r)).isEqualTo("ping");
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("woken before the 10 s wait elapsed")
          .isLessThan(Duration.ofSeconds(9));
    }
  }

  @Test
  void awaitTimesOutEmptyAndReturnsAtOnceOnClose() throws Exception {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    var timedOut = store.await(p, 0, 100, Duration.ofMillis(150));
    assertThat(timedOut.status()).isEqualTo(NamedStreamRead.Status.OK);
    assertThat(timedOut.frames()).isEmpty();
    int parked = parkedReaders(store);
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var waiting = exec.submit(() -> store.await(p, 0, 100, Duration.ofSeconds(10)));
      await().atMost(5, TimeUnit.SECONDS).until(() -> parkedReaders(store) > parked);
      store.append(p, new NamedStreamAppend(TEXT, List.of(bytes("bye")), true, null, null));
      var r = waiting.get(5, TimeUnit.SECONDS);
      assertThat(text(r)).isEqualTo("bye");
      assertThat(r.endOfStream()).isTrue();
    }
    var atEnd = store.await(p, 3, 100, Duration.ofSeconds(10));
    assertThat(atEnd.endOfStream()).isTrue();
  }

  @Test
  @DisplayName("a delete wakes a waiting reader, which then finds no stream")
  void awaitEndsWhenTheStreamIsDeleted() throws Exception {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    int parked = parkedReaders(store);
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var waiting = exec.submit(() -> store.await(p, 0, 100, Duration.ofSeconds(10)));
      await().atMost(5, TimeUnit.SECONDS).until(() -> parkedReaders(store) > parked);
      assertThat(store.delete(p)).isEqualTo(NamedStreamDeletion.DELETED);
      assertThat(waiting.get(9, TimeUnit.SECONDS).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    }
  }

  @Test
  @DisplayName("expireStreams retires streams past their TTL that nobody touched; live ones stay")
  void expiryRetiresUntouchedStreams() {
    var idle = path();
    store.create(idle, new NamedStreamSpec(TEXT, 1L, null, false, List.of(bytes("x")), null));
    var live = path();
    store.create(live, new NamedStreamSpec(TEXT, 60L, null, false, List.of(bytes("y")), null));
    clock.advance(1_500);
    assertThat(store.expireStreams(10_000)).isGreaterThanOrEqualTo(1);
    assertThat(store.head(idle).status()).isEqualTo(NamedStreamRead.Status.NOT_FOUND);
    assertThat(text(store.read(live, 0, 100))).isEqualTo("y");
    assertThat(store.create(idle, NamedStreamSpec.of(TEXT)).status()).isEqualTo(NamedStreamCreation.Status.CREATED);
  }

  @Test
  @DisplayName("producers are independent: each has its own epoch and sequence, and its own retries")
  void producersAreIndependent() {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    assertThat(produce(p, "a", "A", 0, 0).status()).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(produce(p, "b", "B", 5, 0).status()).as("each producer has its own epoch").isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(produce(p, "a1", "A", 0, 1).status()).isEqualTo(NamedStreamAppendResult.Status.APPENDED);
    assertThat(produce(p, "b", "B", 5, 0).status()).isEqualTo(NamedStreamAppendResult.Status.DUPLICATE);
    assertThat(text(store.read(p, 0, 1 << 20))).isEqualTo("aba1");
  }

  @Test
  void concurrentAppendsNeverInterleaveOrLoseData() throws Exception {
    var p = path();
    store.create(p, NamedStreamSpec.of(TEXT));
    int writers = 8;
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < writers; w++) {
        int id = w;
        exec.submit(() -> {
          for (int i = 0; i < 10; i++) {
            append(p, "<" + id + ":" + i + ">");
          }
        });
      }
    }
    var all = store.read(p, 0, 1 << 20);
    var frames = all.frames();
    assertThat(frames).hasSize(writers * 10);
    long prev = 0;
    for (NamedStreamFrame f : frames) {
      assertThat(f.endPos() - f.payload().length).isEqualTo(prev);
      prev = f.endPos();
      assertThat(new String(f.payload(), UTF_8)).matches("<\\d:\\d>");
    }
  }

}
