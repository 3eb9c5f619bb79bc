package io.tributary.contract;

import io.tributary.testing.SettableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.tributary.api.AppendOutcome;
import io.tributary.api.BestEffortLiveConfig;
import io.tributary.api.CloseReason;
import io.tributary.api.ConflictException;
import io.tributary.api.EntryId;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.FrameKind;
import io.tributary.api.Handle;
import io.tributary.api.NotFoundException;
import io.tributary.api.StaleOwnerException;
import io.tributary.api.StreamClosedException;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamFrame;
import io.tributary.api.StreamFrames;
import io.tributary.api.StreamMode;
import io.tributary.api.StreamStore;
import io.tributary.api.SummaryDocument;
import io.tributary.api.TailVisibility;
import io.tributary.api.TributaryException;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import io.tributary.api.ValidationKind;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Behaviour every {@link StreamStore} backend must show: the acceptance scenarios of the
 * FlowFabric stream-family spec (§8, numbered in the display names) that apply to a single
 * backend, the fixes of §7 this project promises, leases and fencing, concurrency and bad input.
 *
 * <p>A backend test extends this class and supplies stores (plus a few probes into internals the
 * public API does not expose, such as the best-effort EMA state). One instance serves the whole
 * class; every test works on fresh execution ids, so tests never see each other's streams.
 * Time-dependent behaviour (leases, best-effort expiry, id monotonicity across clock steps) runs
 * on stores with a {@link SettableClock}, so nothing sleeps for a lease to expire.
 *
 * <p>Timing assertions are only upper bounds of the form "woken before the block elapsed"; none
 * measures speed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StreamStoreContract {

  // ================================================================ backend hooks

  /** A new store instance (own pool and listener) on the class's database; the caller closes it. */
  protected abstract StreamStore openStore(UnaryOperator<StoreSettings> config);

  /** A new store on a fresh database of its own (for counts over the whole database). */
  protected abstract StreamStore openIsolatedStore(UnaryOperator<StoreSettings> config);

  /** Best-effort bookkeeping of an attempt stream (the reference's meta fields), if it exists. */
  protected abstract Optional<BestEffortState> bestEffortState(
      StreamStore store, ExecutionId executionId, long attemptIndex);

  /** Backend ids of the LISTEN sessions currently connected to the class's database. */
  protected abstract Set<Integer> listenerSessions();

  /** Drops every LISTEN session on the class's database (as a network failure would). */
  protected abstract void dropListenerSessions();

  /** Refuses new connections to the class's database until the returned handle is closed. */
  protected abstract AutoCloseable refuseNewConnections();

  /** True while the store's LISTEN session is established. */
  protected abstract boolean listenerReady(StreamStore store);

  /** Number of streams the store's in-memory fan-out currently tracks parked readers for. */
  protected abstract int watchedStreams(StreamStore store);

  /**
   * Number of readers of the store that are registered for wake-ups (parked, or about to park
   * with no wake-up missed): the probe a test waits on instead of sleeping.
   */
  protected abstract int parkedReaders(StreamStore store);

  /**
   * Holds an attempt stream as the backend's own append would (PostgreSQL: its row lock) until
   * closed, so appends to it queue up; lets a test put racing appends into one batch on purpose.
   */
  protected abstract StreamHold holdStream(Handle handle);

  /** A held stream; see {@link #holdStream}. */
  public interface StreamHold extends AutoCloseable {
    /** Waits (bounded) until at least {@code n} appends are blocked behind the hold. */
    void awaitBlockedAppends(int n);

    /** Releases the stream. */
    @Override
    void close();
  }

  /** The reference's best-effort meta: {@code ema_rate_hz}, {@code maxlen_applied_last}. */
  public record BestEffortState(double emaRateHz, long maxlenAppliedLast, long lastAppendMs) {}

  // ================================================================ fixture

  protected static final Duration LEASE = Duration.ofMinutes(10);
  protected static final long BASE_MS = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
  protected static final int ALL_FRAMES = StreamStore.READ_HARD_CAP;
  /** The payload limit a store has unless configured otherwise (the README's default). */
  protected static final int DEFAULT_MAX_PAYLOAD_BYTES = 65_536;

  private StreamStore shared;
  private final List<AutoCloseable> perTest = new CopyOnWriteArrayList<>();
  private ExecutorService threads;

  @BeforeAll
  void openSharedStore() {
    shared = openStore(b -> b);
  }

  @AfterAll
  void closeSharedStore() {
    if (shared != null) {
      shared.close();
    }
  }

  @AfterEach
  void closePerTestResources() throws Exception {
    if (threads != null) {
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
      threads = null;
    }
    var toClose = new ArrayList<>(perTest);
    perTest.clear();
    Collections.reverse(toClose);
    for (var c : toClose) {
      c.close();
    }
  }

  /** The class-wide store: default configuration, database clock. */
  protected StreamStore store() {
    return shared;
  }

  /** A store with its own configuration on the class's database, closed after the test. */
  protected StreamStore newStore(UnaryOperator<StoreSettings> config) {
    var s = openStore(config);
    perTest.add(s);
    return s;
  }

  protected StreamStore newIsolatedStore(UnaryOperator<StoreSettings> config) {
    var s = openIsolatedStore(config);
    perTest.add(s);
    return s;
  }

  protected record Clocked(StreamStore store, SettableClock clock) {}

  /** A store driven by a settable clock starting at {@link #BASE_MS}. */
  protected Clocked clocked(UnaryOperator<StoreSettings> config) {
    var clock = new SettableClock(BASE_MS);
    return new Clocked(newStore(b -> config.apply(b.clock(clock))), clock);
  }

  protected Clocked clocked() {
    return clocked(b -> b);
  }

  protected <T> Future<T> async(Callable<T> task) {
    if (threads == null) {
      threads = Executors.newCachedThreadPool();
    }
    return threads.submit(task);
  }

  // ================================================================ helpers

  protected static ExecutionId newExecution() {
    return ExecutionId.random(ThreadLocalRandom.current().nextInt(0, 65_536));
  }

  protected static Handle start(StreamStore s) {
    return s.startAttempt(newExecution(), LEASE);
  }

  protected static Frame durable(String text) {
    return Frame.of("log", text);
  }

  protected static Frame summary(String json) {
    return Frame.of("summary", json).withMode(StreamMode.durableSummary());
  }

  protected static Frame bestEffort(String text, long ttlMs) {
    return Frame.of("token", text).withMode(StreamMode.bestEffortLive(ttlMs));
  }

  protected static Frame bestEffort(String text, BestEffortLiveConfig config) {
    return Frame.of("token", text).withMode(StreamMode.bestEffortLive(config));
  }

  protected static String text(StreamFrame f) {
    return new String(f.payload(), StandardCharsets.UTF_8);
  }

  protected static List<String> texts(StreamFrames r) {
    return texts(r.frames());
  }

  protected static List<String> texts(List<StreamFrame> frames) {
    return frames.stream().map(StreamStoreContract::text).toList();
  }

  protected static List<EntryId> ids(StreamFrames r) {
    return r.frames().stream().map(StreamFrame::id).toList();
  }

  protected static StreamFrames readAll(StreamStore s, ExecutionId eid, long attempt) {
    return s.read(eid, attempt, StreamCursor.START, StreamCursor.END, ALL_FRAMES);
  }

  protected static StreamFrames readAll(StreamStore s, Handle h) {
    return readAll(s, h.executionId(), h.attemptIndex());
  }

  protected static StreamFrames peek(StreamStore s, Handle h, TailVisibility v) {
    return s.tail(h.executionId(), h.attemptIndex(), StreamCursor.fromBeginning(), 0, ALL_FRAMES, v);
  }

  protected static StreamCursor.At after(AppendOutcome o) {
    return StreamCursor.at(o.id());
  }

  protected static StreamCursor.At after(StreamFrame f) {
    return StreamCursor.at(f.id());
  }

  protected static Handle withEpoch(Handle h, long epoch) {
    return new Handle(h.executionId(), h.attemptIndex(), h.attemptId(), h.leaseId(), epoch,
        h.leaseTtlMs(), h.leaseExpiresAtMs(), h.laneId(), h.workerInstanceId());
  }

  protected static Handle withLease(Handle h, UUID lease) {
    return new Handle(h.executionId(), h.attemptIndex(), h.attemptId(), lease, h.leaseEpoch(),
        h.leaseTtlMs(), h.leaseExpiresAtMs(), h.laneId(), h.workerInstanceId());
  }

  protected static Handle withAttempt(Handle h, long attemptIndex) {
    return new Handle(h.executionId(), attemptIndex, h.attemptId(), h.leaseId(), h.leaseEpoch(),
        h.leaseTtlMs(), h.leaseExpiresAtMs(), h.laneId(), h.workerInstanceId());
  }

  protected static Handle withExecution(Handle h, ExecutionId eid) {
    return new Handle(eid, h.attemptIndex(), h.attemptId(), h.leaseId(), h.leaseEpoch(),
        h.leaseTtlMs(), h.leaseExpiresAtMs(), h.laneId(), h.workerInstanceId());
  }

  protected static ValidationException assertValidation(
      ValidationKind kind, ThrowingCallable call, String... detailParts) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(ValidationException.class);
    var e = (ValidationException) t;
    assertThat(e.kind()).as("kind of %s", e.getMessage()).isEqualTo(kind);
    for (var part : detailParts) {
      assertThat(e.detail()).contains(part);
    }
    return e;
  }

  protected static void assertStrictlyIncreasing(List<EntryId> ids) {
    for (int i = 1; i < ids.size(); i++) {
      assertThat(ids.get(i)).as("id %d (%s) after %s", i, ids.get(i), ids.get(i - 1)).isGreaterThan(ids.get(i - 1));
    }
  }

  protected static JsonValue json(String text) {
    return JsonSupport.parse(text);
  }

  protected static void assertJson(String actual, String expected) {
    assertThat(JsonSupport.equivalent(json(actual), json(expected)))
        .as("document %s equivalent to %s", actual, expected)
        .isTrue();
  }

  protected static SummaryDocument summaryOf(StreamStore s, Handle h) {
    return s.readSummary(h.executionId(), h.attemptIndex()).orElseThrow();
  }

  protected static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String nestedPatch(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{\"x\":1}" + "}".repeat(depth - 1);
  }

  static Stream<Arguments> badPatches() {
    return Stream.of(
        Arguments.of("not json", "not json".getBytes(StandardCharsets.UTF_8), "not valid JSON"),
        Arguments.of("[1,2]", "[1,2]".getBytes(StandardCharsets.UTF_8), "patch must be a JSON object"),
        Arguments.of("5", "5".getBytes(StandardCharsets.UTF_8), "patch must be a JSON object"),
        Arguments.of("null", "null".getBytes(StandardCharsets.UTF_8), "patch must be a JSON object"),
        Arguments.of("\"s\"", "\"s\"".getBytes(StandardCharsets.UTF_8), "patch must be a JSON object"),
        Arguments.of("depth 18", nestedPatch(18).getBytes(StandardCharsets.UTF_8), "patch_depth_exceeded"),
        Arguments.of("empty", new byte[0], "not valid JSON"),
        Arguments.of("trailing garbage", "{\"a\":1} x".getBytes(StandardCharsets.UTF_8), "not valid JSON"),
        Arguments.of("two objects", "{\"a\":1}{\"b\":2}".getBytes(StandardCharsets.UTF_8), "not valid JSON"),
        Arguments.of("not UTF-8", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFE, '"', '}'}, "not valid JSON"),
        Arguments.of("NUL escape", "{\"a\":\"x\\u0000\"}".getBytes(StandardCharsets.UTF_8), "NUL"),
        Arguments.of("lone surrogate escape", "{\"a\":\"\\ud800\"}".getBytes(StandardCharsets.UTF_8), ""),
        Arguments.of("number beyond numeric", "{\"a\":1e999999}".getBytes(StandardCharsets.UTF_8), ""));
  }

  // ================================================================ durable appends

  @Nested
  @DisplayName("Durable appends")
  class DurableAppends {

    @Test
    @DisplayName("§8.7 a durable append → frame_count 1, no summary_version, stored mode durable")
    void s07() {
      var h = start(store());
      var o = store().append(h, Frame.of("log", "{\"a\":1}"));
      assertThat(o.frameCount()).isEqualTo(1);
      assertThat(o.summaryVersion()).isNull();
      var r = readAll(store(), h);
      assertThat(r.frames()).singleElement().satisfies(f -> {
        assertThat(f.id()).isEqualTo(o.id());
        assertThat(f.mode()).isEqualTo("durable");
        assertThat(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(f.summaryVersion()).isNull();
        assertThat(f.ttlMs()).isNull();
      });
    }

    @Test
    @DisplayName("§8.8 two appends → counts 1 then 2, distinct ids, last id is the second; after complete still 2")
    void s08() {
      var h = start(store());
      var o1 = store().append(h, durable("{\"msg\":\"hello\"}"));
      var o2 = store().append(h, Frame.of("output", "{\"result\":\"done\"}"));
      assertThat(o1.frameCount()).isEqualTo(1);
      assertThat(o2.frameCount()).isEqualTo(2);
      assertThat(o2.id()).isGreaterThan(o1.id());
      var r = readAll(store(), h);
      assertThat(ids(r)).containsExactly(o1.id(), o2.id());
      assertThat(r.frames().getLast().frameType()).isEqualTo("output");
      assertThat(r.isClosed()).isFalse();
      assertThat(r.closedAt()).isNull();
      assertThat(r.closedReason()).isNull();
      store().closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      assertThat(ids(readAll(store(), h))).containsExactly(o1.id(), o2.id());
    }

    @Test
    @DisplayName("§8.9 after complete, an append with the old lease → StreamClosed; nothing written")
    void s09() {
      var h = start(store());
      store().append(h, durable("one"));
      store().closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      assertThatThrownBy(() -> store().append(h, durable("late")))
          .isInstanceOfSatisfying(StreamClosedException.class, e -> {
            assertThat(e.code()).isEqualTo("stream_closed");
            assertThat(e.closedReason()).isEqualTo("attempt_success");
          });
      assertThat(texts(readAll(store(), h))).containsExactly("one");
    }

    @Test
    @DisplayName("§8.10 payloads of 1024 and 65536 bytes succeed; 65537 → retention_limit_exceeded, count stays 2")
    void s10() {
      var h = start(store());
      assertThat(store().append(h, Frame.of("blob", new byte[1024])).frameCount()).isEqualTo(1);
      assertThat(store().append(h, Frame.of("blob", new byte[65_536])).frameCount()).isEqualTo(2);
      var e = assertValidation(ValidationKind.RETENTION_LIMIT_EXCEEDED,
          () -> store().append(h, Frame.of("blob", new byte[65_537])));
      assertThat(e.code()).isEqualTo("retention_limit_exceeded");
      var r = readAll(store(), h);
      assertThat(r.frames()).extracting(f -> f.payload().length).containsExactly(1024, 65_536);
      assertThat(store().append(h, durable("next")).frameCount()).as("lifetime count after the rejection").isEqualTo(3);
    }

    @Test
    @DisplayName("§8.14 empty frame_type stores the kind (stderr); correlation id stored when given, absent otherwise")
    void s14() {
      var h = start(store());
      store().append(h, new Frame("oops".getBytes(StandardCharsets.UTF_8), FrameKind.STDERR, "", "c-1", null));
      store().append(h, new Frame("out".getBytes(StandardCharsets.UTF_8), FrameKind.STDOUT, null, null, null));
      store().append(h, new Frame(new byte[] {1}, FrameKind.BLOB, "custom", "", null));
      var r = readAll(store(), h).frames();
      assertThat(r.get(0).frameType()).isEqualTo("stderr");
      assertThat(r.get(0).correlationId()).isEqualTo("c-1");
      assertThat(r.get(1).frameType()).isEqualTo("stdout");
      assertThat(r.get(1).correlationId()).isNull();
      assertThat(r.get(2).frameType()).isEqualTo("custom");
      assertThat(r.get(2).correlationId()).as("an empty correlation id is none").isNull();
    }

    @Test
    @DisplayName("§8.50 durable one, two → ids <ms>-<seq>, counts 1 and 2, read in order")
    void s50() {
      var h = start(store());
      var o1 = store().append(h, durable("one"));
      var o2 = store().append(h, durable("two"));
      assertThat(o1.id().toString()).contains("-").matches("[0-9]+-[0-9]+");
      assertThat(o2.id().toString()).contains("-");
      assertThat(List.of(o1.frameCount(), o2.frameCount())).containsExactly(1L, 2L);
      assertThat(texts(store().read(h.executionId(), 0, StreamCursor.START, StreamCursor.END, 100)))
          .containsExactly("one", "two");
    }

    @Test
    @DisplayName("§8.55 three stdout frames payload-0..2 read back in order, open")
    void s55() {
      var h = start(store());
      for (int i = 0; i < 3; i++) {
        store().append(h, new Frame(("payload-" + i).getBytes(StandardCharsets.UTF_8), FrameKind.STDOUT, "", null, null));
      }
      var r = readAll(store(), h);
      assertThat(texts(r)).containsExactly("payload-0", "payload-1", "payload-2");
      assertThat(r.frames()).allSatisfy(f -> assertThat(f.frameType()).isEqualTo("stdout"));
      assertThat(r.isClosed()).isFalse();
    }

    @Test
    @DisplayName("§8.58 durable counts 1, 2; summary versions 1, 2; a handle with epoch 999 is a stale owner")
    void s58() {
      var h = start(store());
      var d1 = store().append(h, durable("a"));
      var d2 = store().append(h, durable("b"));
      assertThat(d1.frameCount()).isEqualTo(1);
      assertThat(d2.frameCount()).isEqualTo(2);
      assertThat(d1.id().toString()).contains("-");
      assertThat(d1.summaryVersion()).isNull();
      assertThat(store().append(h, summary("{\"a\":1}")).summaryVersion()).isEqualTo(1);
      assertThat(store().append(h, summary("{\"b\":1}")).summaryVersion()).isEqualTo(2);
      assertThatThrownBy(() -> store().append(withEpoch(h, 999), durable("zombie")))
          .isInstanceOf(StaleOwnerException.class);
      assertThat(readAll(store(), h).frames()).hasSize(4);
    }

    @Test
    @DisplayName("a frame's id and ts come from the store's clock; ts is stored and reported")
    void idAndTsFromClock() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      c.clock().set(BASE_MS + 1234);
      var o = c.store().append(h, durable("x"));
      assertThat(o.id()).isEqualTo(new EntryId(BASE_MS + 1234, 0));
      var f = readAll(c.store(), h).frames().getFirst();
      assertThat(f.ts()).isEqualTo(BASE_MS + 1234);
    }

    @Test
    @DisplayName("§7.30 an execution id spelled in upper case or without hyphens names the same stream")
    void executionIdSpellings() {
      var eid = newExecution();
      String upper = "{fp:" + eid.partition() + "}:" + eid.uuid().toString().toUpperCase();
      String compact = "{fp:" + eid.partition() + "}:" + eid.uuid().toString().replace("-", "");
      var h = store().startAttempt(ExecutionId.parse(upper), LEASE);
      store().append(h, durable("x"));
      assertThat(texts(readAll(store(), eid, 0))).containsExactly("x");
      assertThat(texts(readAll(store(), ExecutionId.parse(compact), 0))).containsExactly("x");
      assertThat(h.executionId()).hasToString(eid.toString());
    }
  }

  // ================================================================ summaries

  @Nested
  @DisplayName("DurableSummary")
  class Summaries {

    @Test
    @DisplayName("§8.15 merge: {a:1,b:{c:2}} then {a:null,b:{d:3}} → no a, b.c=2, b.d=3, version 2")
    void s15() {
      var h = start(store());
      var o1 = store().append(h, summary("{\"a\":1,\"b\":{\"c\":2}}"));
      assertThat(o1.frameCount()).isEqualTo(1);
      assertThat(o1.summaryVersion()).isEqualTo(1);
      var o2 = store().append(h, summary("{\"a\":null,\"b\":{\"d\":3}}"));
      assertThat(o2.frameCount()).isEqualTo(2);
      assertThat(o2.summaryVersion()).isEqualTo(2);
      var doc = summaryOf(store(), h);
      assertJson(doc.documentJson(), "{\"b\":{\"c\":2,\"d\":3}}");
      assertThat(doc.version()).isEqualTo(2);
      assertThat(doc.patchKind().wire()).isEqualTo("json-merge-patch");
    }

    @Test
    @DisplayName("§8.16 the sentinel stores a JSON null and never appears in the document")
    void s16() {
      var h = start(store());
      store().append(h, summary("{\"x\":\"__ff_null__\"}"));
      var doc = summaryOf(store(), h);
      assertJson(doc.documentJson(), "{\"x\":null}");
      assertThat(doc.documentJson()).doesNotContain("__ff_null__");
    }

    @Test
    @DisplayName("§3.1.3 the sentinel is rewritten at any depth, inside arrays too, but not in keys or substrings")
    void sentinelEverywhere() {
      var h = start(store());
      store().append(h, summary("{\"a\":{\"b\":[1,\"__ff_null__\",{\"c\":\"__ff_null__\"}]},\"s\":\"x__ff_null__\",\"__ff_null__\":1}"));
      var doc = summaryOf(store(), h);
      assertJson(doc.documentJson(), "{\"a\":{\"b\":[1,null,{\"c\":null}]},\"s\":\"x__ff_null__\",\"__ff_null__\":1}");
    }

    @Test
    @DisplayName("§3.1.3 a sentinel written with JSON escapes (\\u005f_ff_null__) is still the sentinel")
    void escapedSentinel() {
      // "\u005f_ff_null__" decodes to "__ff_null__": the invariant "a document never contains the
      // sentinel" must not depend on how the producer escaped it.
      var h = start(store());
      store().append(h, summary("{\"x\":\"\\u005f_ff_null__\",\"y\":\"__ff\\u005fnull__\"}"));
      var doc = summaryOf(store(), h);
      assertJson(doc.documentJson(), "{\"x\":null,\"y\":null}");
      assertThat(doc.documentJson()).doesNotContain("__ff_null__");
    }

    @Test
    @DisplayName("§8.17 durable, summary, durable, summary → 4 entries, summary version 2")
    void s17() {
      var h = start(store());
      store().append(h, durable("d1"));
      store().append(h, summary("{\"a\":1}"));
      store().append(h, durable("d2"));
      var o = store().append(h, summary("{\"b\":2}"));
      assertThat(o.summaryVersion()).isEqualTo(2);
      assertThat(o.frameCount()).isEqualTo(4);
      var r = readAll(store(), h);
      assertThat(r.frames()).extracting(StreamFrame::mode).containsExactly("durable", "summary", "durable", "summary");
      assertThat(r.frames()).extracting(StreamFrame::summaryVersion).containsExactly(null, 1L, null, 2L);
      assertThat(summaryOf(store(), h).version()).isEqualTo(2);
    }

    @Test
    @DisplayName("§8.18 the summary survives the trimming of its frames (summary retention 1)")
    void s18() {
      var s = newStore(b -> b.summaryRetention(1));
      var h = start(s);
      s.append(h, summary("{\"final\":\"answer\"}"));
      s.append(h, summary("{\"tokens\":42}"));
      var r = readAll(s, h);
      assertThat(r.frames()).singleElement().satisfies(f -> assertThat(f.summaryVersion()).isEqualTo(2));
      var doc = summaryOf(s, h);
      assertJson(doc.documentJson(), "{\"final\":\"answer\",\"tokens\":42}");
      assertThat(doc.version()).isEqualTo(2);
    }

    @Test
    @DisplayName("§8.19 no summary append ever → readSummary is empty (also for unknown attempts)")
    void s19() {
      var h = start(store());
      store().append(h, durable("x"));
      store().append(h, bestEffort("t", 5_000));
      assertThat(store().readSummary(h.executionId(), 0)).isEmpty();
      assertThat(store().readSummary(h.executionId(), 1)).isEmpty();
      assertThat(store().readSummary(newExecution(), 0)).isEmpty();
    }

    @Test
    @DisplayName("§8.20 {hello:resp3,n:7} → version 1 with both values")
    void s20() {
      var h = start(store());
      store().append(h, summary("{\"hello\":\"resp3\",\"n\":7}"));
      var doc = summaryOf(store(), h);
      assertThat(doc.version()).isEqualTo(1);
      assertJson(doc.documentJson(), "{\"hello\":\"resp3\",\"n\":7}");
    }

    @Test
    @DisplayName("§8.22 200 summary appends → frame_count 200 (lifetime), 64 retained, each carrying its version")
    void s22() {
      var h = start(store());
      AppendOutcome last = null;
      for (int i = 1; i <= 200; i++) {
        last = store().append(h, summary("{\"i\":" + i + "}"));
        assertThat(last.summaryVersion()).isEqualTo(i);
      }
      assertThat(last.frameCount()).isEqualTo(200);
      var r = readAll(store(), h);
      assertThat(r.frames()).hasSize(64);
      for (var f : r.frames()) {
        assertThat(text(f)).isEqualTo("{\"i\":" + f.summaryVersion() + "}");
      }
      assertThat(r.frames()).extracting(StreamFrame::summaryVersion)
          .containsExactlyElementsOf(IntStream.rangeClosed(137, 200).mapToObj(Long::valueOf).toList());
      assertThat(summaryOf(store(), h).version()).isEqualTo(200);
      assertJson(summaryOf(store(), h).documentJson(), "{\"i\":200}");
    }

    @Test
    @DisplayName("§8.23 first_applied_ms is set by the first delta; last_updated_ms is the latest delta's time")
    void s23() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      c.clock().set(BASE_MS + 10);
      c.store().append(h, summary("{\"a\":1}"));
      c.clock().set(BASE_MS + 500);
      c.store().append(h, durable("between"));
      c.clock().set(BASE_MS + 900);
      c.store().append(h, summary("{\"b\":1}"));
      var doc = summaryOf(c.store(), h);
      assertThat(doc.firstAppliedMs()).isEqualTo(BASE_MS + 10);
      assertThat(doc.lastUpdatedMs()).isEqualTo(BASE_MS + 900);
    }

    @Test
    @DisplayName("§8.51 {a:1}, {b:2}, {a:42,c:{x:sentinel}} → version 3, a=42, b=2, c.x=null")
    void s51() {
      var h = start(store());
      store().append(h, summary("{\"a\":1}"));
      store().append(h, summary("{\"b\":2}"));
      var o = store().append(h, summary("{\"a\":42,\"c\":{\"x\":\"__ff_null__\"}}"));
      assertThat(o.summaryVersion()).isEqualTo(3);
      var doc = summaryOf(store(), h);
      assertJson(doc.documentJson(), "{\"a\":42,\"b\":2,\"c\":{\"x\":null}}");
      assertThat(doc.version()).isEqualTo(3);
    }

    @Test
    @DisplayName("§8.56 {a:1}, {b:2} → version 2, both timestamps > 0; another attempt has no summary")
    void s56() {
      var h = start(store());
      store().append(h, summary("{\"a\":1}"));
      store().append(h, summary("{\"b\":2}"));
      var doc = summaryOf(store(), h);
      assertThat(doc.version()).isEqualTo(2);
      assertJson(doc.documentJson(), "{\"a\":1,\"b\":2}");
      assertThat(doc.firstAppliedMs()).isPositive();
      assertThat(doc.lastUpdatedMs()).isPositive().isGreaterThanOrEqualTo(doc.firstAppliedMs());
      assertThat(store().readSummary(h.executionId(), 1)).isEmpty();
    }

    @Test
    @DisplayName("§3.1.3 reference rule: an empty-object member value replaces (RFC 7396 would merge)")
    void emptyObjectReplaces() {
      var h = start(store());
      store().append(h, summary("{\"a\":{\"b\":1},\"k\":1}"));
      store().append(h, summary("{\"a\":{}}"));
      assertJson(summaryOf(store(), h).documentJson(), "{\"a\":{},\"k\":1}");
      var rfc = JsonSupport.rfc7396(json("{\"a\":{\"b\":1},\"k\":1}"), json("{\"a\":{}}"));
      assertThat(JsonSupport.equivalent(rfc, json("{\"a\":{\"b\":1},\"k\":1}"))).isTrue();
    }

    @Test
    @DisplayName("§3.1.1 an empty array patch counts as an empty object: version +1, document unchanged")
    void emptyArrayPatch() {
      var h = start(store());
      store().append(h, summary("{\"a\":1}"));
      var o = store().append(h, summary("[]"));
      assertThat(o.summaryVersion()).isEqualTo(2);
      assertJson(summaryOf(store(), h).documentJson(), "{\"a\":1}");
    }

    @Test
    @DisplayName("summary frames keep the patch bytes as sent; attempts have independent summaries")
    void summaryFramesAndIsolation() {
      var eid = newExecution();
      var h0 = store().startAttempt(eid, LEASE);
      store().append(h0, summary("{ \"a\" : 1 }"));
      store().closeAttempt(h0, CloseReason.ATTEMPT_FAILURE);
      var h1 = store().startAttempt(eid, LEASE);
      store().append(h1, summary("{\"b\":2}"));
      assertThat(text(readAll(store(), h0).frames().getFirst())).isEqualTo("{ \"a\" : 1 }");
      assertJson(summaryOf(store(), h0).documentJson(), "{\"a\":1}");
      assertJson(summaryOf(store(), h1).documentJson(), "{\"b\":2}");
      assertThat(summaryOf(store(), h1).version()).isEqualTo(1);
    }

    @Test
    @DisplayName("property: the summary equals the RFC 7396 fold of random sentinel-free patches (seeded)")
    void summaryIsRfc7396Fold() {
      long seed = Seeds.seed();
      var gen = new JsonSupport.Gen(seed);
      for (int run = 0; run < 15; run++) {
        var h = start(store());
        JsonValue expected = JsonValue.EMPTY_JSON_OBJECT;
        var patches = new ArrayList<String>();
        int n = gen.random().nextInt(1, 7);
        for (int i = 0; i < n; i++) {
          var patch = gen.patch(gen.random().nextInt(1, 5));
          patches.add(patch.toString());
          expected = JsonSupport.rfc7396(expected, patch);
          var o = store().append(h, summary(patch.toString()));
          assertThat(o.summaryVersion()).isEqualTo(i + 1);
        }
        String actual = summaryOf(store(), h).documentJson();
        assertThat(JsonSupport.equivalent(json(actual), expected))
            .as("%s run %d%n patches  %s%n expected %s%n actual   %s", Seeds.replay(seed), run, patches, expected, actual)
            .isTrue();
      }
    }
  }

  // ================================================================ best effort

  @Nested
  @DisplayName("BestEffortLive")
  class BestEffort {

    @Test
    @DisplayName("§8.24 two best-effort appends (ttl 5000): visible for 2×ttl of silence, then the stream reads empty")
    void s24() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      c.store().append(h, bestEffort("t1", 5_000));
      long last = c.clock().advance(1);
      var o2 = c.store().append(h, bestEffort("t2", 5_000));
      c.clock().set(last + 9_999);
      assertThat(texts(readAll(c.store(), h))).containsExactly("t1", "t2");
      c.clock().set(last + 10_000);
      var r = readAll(c.store(), h);
      assertThat(r.frames()).isEmpty();
      assertThat(r.isClosed()).isFalse();
      assertThat(peek(c.store(), h, TailVisibility.ALL).frames()).isEmpty();
      // a later append starts afresh; the lifetime count goes on
      var o3 = c.store().append(h, bestEffort("t3", 5_000));
      assertThat(o3.frameCount()).isEqualTo(3);
      assertThat(o3.id()).isGreaterThan(o2.id());
      assertThat(texts(readAll(c.store(), h))).containsExactly("t3");
    }

    @Test
    @DisplayName("§3.1.4 an expired best-effort stream followed by a durable append holds just that frame, for good")
    void expiredThenDurable() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), Duration.ofDays(1));
      c.store().append(h, bestEffort("t1", 1_000));
      c.clock().advance(2_000);
      assertThat(readAll(c.store(), h).frames()).isEmpty();
      assertThat(c.store().append(h, durable("d")).frameCount()).isEqualTo(2);
      c.clock().advance(3_600_000);
      assertThat(texts(readAll(c.store(), h))).containsExactly("d");
    }

    @Test
    @DisplayName("§8.25 best-effort then durable → no expiry; another best-effort append → still none")
    void s25() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), Duration.ofDays(1));
      c.store().append(h, bestEffort("t1", 5_000));
      c.clock().advance(1);
      c.store().append(h, durable("d"));
      c.clock().advance(3_600_000);
      assertThat(texts(readAll(c.store(), h))).containsExactly("t1", "d");
      c.store().append(h, bestEffort("t2", 5_000));
      c.clock().advance(3_600_000);
      assertThat(texts(readAll(c.store(), h))).containsExactly("t1", "d", "t2");
    }

    @Test
    @DisplayName("§3.1.4 a summary frame also pins the stream (no expiry)")
    void summaryPins() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      c.store().append(h, bestEffort("t1", 1_000));
      c.store().append(h, summary("{\"a\":1}"));
      c.clock().advance(60_000);
      assertThat(readAll(c.store(), h).frames()).hasSize(2);
    }

    @Test
    @DisplayName("§8.26 durable, best_effort, summary, best_effort → ExcludeBestEffort 2, All 4")
    void s26() {
      var h = start(store());
      store().append(h, durable("d"));
      store().append(h, bestEffort("b1", 30_000));
      store().append(h, summary("{\"s\":1}"));
      store().append(h, bestEffort("b2", 30_000));
      assertThat(peek(store(), h, TailVisibility.EXCLUDE_BEST_EFFORT).frames())
          .extracting(StreamFrame::mode).containsExactly("durable", "summary");
      assertThat(peek(store(), h, TailVisibility.ALL).frames()).hasSize(4);
      assertThat(readAll(store(), h).frames()).hasSize(4);
    }

    @Test
    @DisplayName("§8.27 256 back-to-back appends (ttl 30000) → maxlen_applied_last > 64, ema_rate_hz > 1")
    void s27() {
      var h = start(store());
      var cfg = BestEffortLiveConfig.withTtl(30_000);
      for (int i = 0; i < 256; i++) {
        store().append(h, bestEffort("t" + i, cfg));
      }
      var st = bestEffortState(store(), h.executionId(), 0).orElseThrow();
      assertThat(st.maxlenAppliedLast()).isGreaterThan(64);
      assertThat(st.emaRateHz()).isGreaterThan(1.0);
      assertThat(readAll(store(), h).frames()).hasSize(256);
    }

    @Test
    @DisplayName("§8.28 alpha 0.3: 64 fast appends, 2 s pause, one more → the rate drops")
    void s28() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      var cfg = BestEffortLiveConfig.withTtl(30_000).withEmaAlpha(0.3);
      for (int i = 0; i < 64; i++) {
        c.clock().advance(1);
        c.store().append(h, bestEffort("t" + i, cfg));
      }
      double before = bestEffortState(c.store(), h.executionId(), 0).orElseThrow().emaRateHz();
      c.clock().advance(2_000);
      c.store().append(h, bestEffort("late", cfg));
      double after = bestEffortState(c.store(), h.executionId(), 0).orElseThrow().emaRateHz();
      assertThat(after).isLessThan(before);
      assertThat(after).isCloseTo(0.3 * 0.5 + 0.7 * before, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    @DisplayName("§8.29 ceiling 256, alpha 0.3, 512 back-to-back → maxlen_applied_last 256 and 256 retained")
    void s29() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      var cfg = BestEffortLiveConfig.withTtl(30_000).withMaxlenCeiling(256).withEmaAlpha(0.3);
      for (int i = 0; i < 512; i++) {
        c.clock().advance(1);
        c.store().append(h, bestEffort("t" + i, cfg));
      }
      assertThat(bestEffortState(c.store(), h.executionId(), 0).orElseThrow().maxlenAppliedLast()).isEqualTo(256);
      var r = readAll(c.store(), h);
      assertThat(r.frames()).hasSize(256);
      assertThat(text(r.frames().getFirst())).isEqualTo("t256");
      assertThat(text(r.frames().getLast())).isEqualTo("t511");
    }

    @Test
    @DisplayName("§8.30 worked example (ttl 5000): 6.4 Hz/K 64, +10 ms 25.12/252, same ms 220.096/2201")
    void s30() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      var off = org.assertj.core.data.Offset.offset(1e-9);
      c.store().append(h, bestEffort("1", 5_000));
      var st = bestEffortState(c.store(), h.executionId(), 0).orElseThrow();
      assertThat(st.emaRateHz()).isCloseTo(6.4, off);
      assertThat(st.maxlenAppliedLast()).isEqualTo(64);
      c.clock().advance(10);
      c.store().append(h, bestEffort("2", 5_000));
      st = bestEffortState(c.store(), h.executionId(), 0).orElseThrow();
      assertThat(st.emaRateHz()).isCloseTo(25.12, off);
      assertThat(st.maxlenAppliedLast()).isEqualTo(252);
      c.store().append(h, bestEffort("3", 5_000));
      st = bestEffortState(c.store(), h.executionId(), 0).orElseThrow();
      assertThat(st.emaRateHz()).isCloseTo(220.096, off);
      assertThat(st.maxlenAppliedLast()).isEqualTo(2_201);
      assertThat(st.lastAppendMs()).isEqualTo(BASE_MS + 10);
    }

    @Test
    @DisplayName("§3.1.4 durable and summary appends do not touch the EMA")
    void emaIgnoresOtherModes() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      c.store().append(h, bestEffort("1", 5_000));
      c.clock().advance(10);
      c.store().append(h, durable("d"));
      c.store().append(h, summary("{\"a\":1}"));
      c.clock().advance(10);
      c.store().append(h, bestEffort("2", 5_000));
      var st = bestEffortState(c.store(), h.executionId(), 0).orElseThrow();
      // dt = 20 ms since the last best-effort append: 0.2 * 50 + 0.8 * 6.4
      assertThat(st.emaRateHz()).isCloseTo(15.12, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(st.maxlenAppliedLast()).isEqualTo(152);
    }

    @Test
    @DisplayName("§8.31 floor 0 / ceiling 0 / alpha 0 behave as 64 / 16384 / 0.2")
    void s31defaults() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      var cfg = new BestEffortLiveConfig(5_000, 0, 0, 0);
      c.store().append(h, bestEffort("1", cfg));
      assertThat(bestEffortState(c.store(), h.executionId(), 0).orElseThrow().maxlenAppliedLast()).isEqualTo(64);
      c.clock().advance(10);
      c.store().append(h, bestEffort("2", cfg));
      var st = bestEffortState(c.store(), h.executionId(), 0).orElseThrow();
      assertThat(st.emaRateHz()).isCloseTo(25.12, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(st.maxlenAppliedLast()).isEqualTo(252);
    }

    @Test
    @DisplayName("§8.31 alpha 1.5 behaves as 0.2")
    void s31alpha() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      var cfg = BestEffortLiveConfig.withTtl(5_000).withEmaAlpha(1.5);
      c.store().append(h, bestEffort("1", cfg));
      c.clock().advance(10);
      c.store().append(h, bestEffort("2", cfg));
      assertThat(bestEffortState(c.store(), h.executionId(), 0).orElseThrow().emaRateHz())
          .isCloseTo(25.12, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    @DisplayName("§8.31 floor 100 with ceiling 50 → ceiling raised to 100: K = 100 on the first append")
    void s31ceilingBelowFloor() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      var cfg = BestEffortLiveConfig.withTtl(5_000).withMaxlenFloor(100).withMaxlenCeiling(50);
      c.store().append(h, bestEffort("1", cfg));
      assertThat(bestEffortState(c.store(), h.executionId(), 0).orElseThrow().maxlenAppliedLast()).isEqualTo(100);
      for (int i = 0; i < 150; i++) {
        c.store().append(h, bestEffort("x" + i, cfg));
      }
      assertThat(readAll(c.store(), h).frames()).hasSize(100);
    }

    @Test
    @DisplayName("§8.32 ttl 0 → no expiry, K = floor, no ttl_ms field")
    void s32() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      c.store().append(h, bestEffort("1", 0));
      assertThat(bestEffortState(c.store(), h.executionId(), 0).orElseThrow().maxlenAppliedLast()).isEqualTo(64);
      c.clock().advance(86_400_000);
      var r = readAll(c.store(), h);
      assertThat(texts(r)).containsExactly("1");
      assertThat(r.frames().getFirst().ttlMs()).isNull();
    }

    @Test
    @DisplayName("best-effort frames carry mode best_effort and ttl_ms")
    void fields() {
      var h = start(store());
      store().append(h, bestEffort("tok", 7_000));
      var f = readAll(store(), h).frames().getFirst();
      assertThat(f.mode()).isEqualTo("best_effort");
      assertThat(f.ttlMs()).isEqualTo(7_000L);
      assertThat(f.mode()).isEqualTo("best_effort");
    }

    @Test
    @DisplayName("§8.52 100 best-effort appends (ttl 5000) → 64..100 retained, EMA > 0")
    void s52() {
      var h = start(store());
      for (int i = 0; i < 100; i++) {
        store().append(h, bestEffort("t" + i, 5_000));
      }
      assertThat(readAll(store(), h).frames()).hasSizeBetween(64, 100);
      assertThat(bestEffortState(store(), h.executionId(), 0).orElseThrow().emaRateHz()).isPositive();
    }

    @Test
    @DisplayName("§8.54 D0, 50 best-effort (ttl 2000), D1 → read has D0 and D1; ExcludeBestEffort tail exactly 2")
    void s54() {
      var h = start(store());
      store().append(h, durable("D0"));
      for (int i = 0; i < 50; i++) {
        store().append(h, bestEffort("b" + i, 2_000));
      }
      store().append(h, durable("D1"));
      assertThat(texts(readAll(store(), h))).contains("D0", "D1");
      var t = store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 0, 10_000, TailVisibility.EXCLUDE_BEST_EFFORT);
      assertThat(texts(t)).containsExactly("D0", "D1");
    }

    @Test
    @DisplayName("§8.57 durable + best-effort (ttl 60000) → All returns 2, ExcludeBestEffort only dur")
    void s57visibility() {
      var h = start(store());
      store().append(h, durable("dur"));
      store().append(h, bestEffort("be", 60_000));
      assertThat(texts(peek(store(), h, TailVisibility.ALL))).containsExactly("dur", "be");
      assertThat(texts(peek(store(), h, TailVisibility.EXCLUDE_BEST_EFFORT))).containsExactly("dur");
    }
  }

  // ================================================================ retention (§7 fixes)

  @Nested
  @DisplayName("Retention and payload fixes (§7)")
  class Retention {

    @Test
    @DisplayName("§7.15 a best-effort trim removes only best-effort frames")
    void bestEffortTrimKeepsDurable() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      var cfg = BestEffortLiveConfig.withTtl(5_000).withMaxlenFloor(64).withMaxlenCeiling(64);
      c.store().append(h, durable("D0"));
      c.store().append(h, summary("{\"s\":0}"));
      for (int i = 0; i < 200; i++) {
        c.clock().advance(1);
        c.store().append(h, bestEffort("b" + i, cfg));
      }
      var last = c.store().append(h, durable("D1"));
      assertThat(last.frameCount()).isEqualTo(203);
      var r = readAll(c.store(), h).frames();
      assertThat(texts(r)).startsWith("D0", "{\"s\":0}").endsWith("D1");
      var be = r.stream().filter(f -> f.mode().equals("best_effort")).toList();
      assertThat(be).hasSize(64);
      assertThat(text(be.getFirst())).isEqualTo("b136");
    }

    @Test
    @DisplayName("§7.15 summary appends never delete durable frames")
    void summaryTrimKeepsDurable() {
      var h = start(store());
      for (int i = 0; i < 10; i++) {
        store().append(h, durable("D" + i));
      }
      store().append(h, bestEffort("b", 0));
      for (int i = 0; i < 150; i++) {
        store().append(h, summary("{\"i\":" + i + "}"));
      }
      var r = readAll(store(), h).frames();
      assertThat(r.stream().filter(f -> f.mode().equals("durable")).map(StreamStoreContract::text).toList())
          .containsExactly("D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9");
      assertThat(r.stream().filter(f -> f.mode().equals("best_effort"))).hasSize(1);
      assertThat(r.stream().filter(f -> f.mode().equals("summary"))).hasSize(64);
    }

    @Test
    @DisplayName("§8.13/§7.4 durable cap is configurable (50): 200 appends keep the newest 50 durable frames only")
    void durableCap() {
      var s = newStore(b -> b.durableRetention(50));
      var h = start(s);
      s.append(h, summary("{\"s\":1}"));
      s.append(h, bestEffort("b", 0));
      AppendOutcome last = null;
      for (int i = 0; i < 200; i++) {
        last = s.append(h, durable("d" + i));
      }
      assertThat(last.frameCount()).isEqualTo(202);
      var r = readAll(s, h).frames();
      var durable = r.stream().filter(f -> f.mode().equals("durable")).map(StreamStoreContract::text).toList();
      assertThat(durable).hasSize(50).startsWith("d150").endsWith("d199");
      assertThat(r.stream().filter(f -> !f.mode().equals("durable")).map(StreamStoreContract::text).toList())
          .containsExactly("{\"s\":1}", "b");
    }

    @Test
    @DisplayName("reads and tails report the newest durable frame the cap deleted; other trims do not move it")
    void durableTrimWatermark() {
      var s = newStore(b -> b.durableRetention(3).summaryRetention(1));
      var h = start(s);
      var cfg = BestEffortLiveConfig.withTtl(5_000).withMaxlenFloor(1).withMaxlenCeiling(1);
      for (int i = 0; i < 4; i++) {
        s.append(h, summary("{\"s\":" + i + "}"));
        s.append(h, bestEffort("b" + i, cfg));
      }
      assertThat(readAll(s, h).durableTrimmedThrough()).isEqualTo(EntryId.ZERO);
      var ids = new ArrayList<EntryId>();
      for (int i = 0; i < 5; i++) {
        ids.add(s.append(h, durable("d" + i)).id());
      }
      var read = readAll(s, h);
      assertThat(read.durableTrimmedThrough()).isEqualTo(ids.get(1));
      assertThat(read.droppedAfter(ids.get(0))).isTrue();
      assertThat(read.droppedAfter(ids.get(1))).isFalse();
      var tail = s.tail(h.executionId(), h.attemptIndex(), StreamCursor.at(ids.get(3)), 0, 10, TailVisibility.ALL);
      assertThat(tail.durableTrimmedThrough()).isEqualTo(ids.get(1));
    }

    @Test
    @DisplayName("§3.1.2 the default durable cap keeps exactly the newest 10 000 frames")
    @Tag("slow")
    void defaultDurableCap() throws Exception {
      var h = start(store());
      var futures = new ArrayList<Future<Void>>();
      for (int w = 0; w < 8; w++) {
        int writer = w;
        futures.add(async(() -> {
          for (int i = 0; i < 1_263; i++) {
            store().append(h, durable(writer + "-" + i));
          }
          return null;
        }));
      }
      for (var f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
      var last = store().append(h, durable("last"));
      assertThat(last.frameCount()).isEqualTo(10_105);
      var r = readAll(store(), h);
      assertThat(r.frames()).hasSize(10_000);
      assertThat(text(r.frames().getLast())).isEqualTo("last");
    }

    @Test
    @DisplayName("§7.1 frame_count is a lifetime counter: trims never lower it")
    void lifetimeFrameCount() {
      var s = newStore(b -> b.durableRetention(5).summaryRetention(3));
      var h = start(s);
      var cfg = BestEffortLiveConfig.withTtl(5_000).withMaxlenFloor(1).withMaxlenCeiling(1);
      long expected = 0;
      for (int round = 0; round < 10; round++) {
        assertThat(s.append(h, durable("d")).frameCount()).isEqualTo(++expected);
        assertThat(s.append(h, summary("{\"r\":" + round + "}")).frameCount()).isEqualTo(++expected);
        assertThat(s.append(h, bestEffort("b", cfg)).frameCount()).isEqualTo(++expected);
      }
      assertThat(readAll(s, h).frames()).hasSize(5 + 3 + 1);
    }

    @Test
    @DisplayName("§7.17 payloads are binary-safe: all 256 byte values round-trip through read and tail")
    void binarySafe() {
      var h = start(store());
      byte[] all = new byte[256];
      for (int i = 0; i < 256; i++) {
        all[i] = (byte) i;
      }
      byte[] reversed = new byte[256];
      for (int i = 0; i < 256; i++) {
        reversed[i] = (byte) (255 - i);
      }
      store().append(h, Frame.of("blob", all));
      store().append(h, new Frame(reversed, FrameKind.BLOB, "", null, StreamMode.bestEffortLive(0)));
      store().append(h, Frame.of("empty", new byte[0]));
      var r = readAll(store(), h).frames();
      assertThat(r.get(0).payload()).isEqualTo(all);
      assertThat(r.get(1).payload()).isEqualTo(reversed);
      assertThat(r.get(2).payload()).isEmpty();
      assertThat(r.get(0).isUtf8()).isFalse();
      var t = peek(store(), h, TailVisibility.ALL).frames();
      assertThat(t.get(0).payload()).isEqualTo(all);
      assertThat(t.get(1).payload()).isEqualTo(reversed);
    }

    @Test
    @DisplayName("§7.17 text payloads (multi-byte UTF-8) come back byte for byte with encoding utf8")
    void utf8Text() {
      var h = start(store());
      String s = "héllo wörld — 你好 😀 \u0000 nul inside";
      store().append(h, durable(s));
      var f = readAll(store(), h).frames().getFirst();
      assertThat(text(f)).isEqualTo(s);
      assertThat(f.isUtf8()).isTrue();
    }

    @Test
    @DisplayName("§8.10/§7.4 size guard: 65536 ok, 65537 rejected, nothing written, count unchanged")
    void sizeGuardDefault() {
      var h = start(store());
      store().append(h, durable("first"));
      assertValidation(ValidationKind.RETENTION_LIMIT_EXCEEDED, () -> store().append(h, Frame.of("blob", new byte[65_537])));
      assertValidation(ValidationKind.RETENTION_LIMIT_EXCEEDED,
          () -> store().append(h, Frame.of("blob", new byte[65_537]).withMode(StreamMode.bestEffortLive(1000))));
      assertThat(readAll(store(), h).frames()).hasSize(1);
      assertThat(store().append(h, Frame.of("blob", new byte[65_536])).frameCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("size guard is configurable and checked before the fence, the close and patch validation")
    void sizeGuardConfiguredAndFirst() {
      var s = newStore(b -> b.maxPayloadBytes(100));
      var h = start(s);
      assertThat(s.append(h, Frame.of("blob", new byte[100])).frameCount()).isEqualTo(1);
      assertValidation(ValidationKind.RETENTION_LIMIT_EXCEEDED, () -> s.append(h, Frame.of("blob", new byte[101])));
      // an oversized non-JSON summary patch reports the size, not the JSON error
      assertValidation(ValidationKind.RETENTION_LIMIT_EXCEEDED, () -> s.append(h, summary("x".repeat(101))));
      // a stale owner and a closed stream still get the size error first (§3.1.1 step 1)
      assertValidation(ValidationKind.RETENTION_LIMIT_EXCEEDED,
          () -> s.append(withEpoch(h, h.leaseEpoch() + 5), Frame.of("blob", new byte[101])));
      s.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      assertValidation(ValidationKind.RETENTION_LIMIT_EXCEEDED, () -> s.append(h, Frame.of("blob", new byte[101])));
      assertThat(readAll(s, h).frames()).hasSize(1);
    }
  }

  // ================================================================ reads

  @Nested
  @DisplayName("Reads")
  class Reads {

    @Test
    @DisplayName("§8.33 fields: frame_type, payload, utf8, ts; ids differ")
    void s33() {
      var h = start(store());
      store().append(h, Frame.of("log", "hello world"));
      store().append(h, Frame.of("output", "final result"));
      var r = store().read(h.executionId(), 0, StreamCursor.START, StreamCursor.END, 10_000);
      assertThat(r.frames()).hasSize(2);
      var f = r.frames().getFirst();
      assertThat(f.frameType()).isEqualTo("log");
      assertThat(text(f)).isEqualTo("hello world");
      assertThat(f.isUtf8()).isTrue();
      assertThat(f.ts()).isPositive();
      assertThat(r.frames().get(0).id()).isNotEqualTo(r.frames().get(1).id());
    }

    @Test
    @DisplayName("§8.34 a never-written attempt or unknown execution reads empty and open")
    void s34() {
      var h = start(store());
      for (var r : List.of(readAll(store(), h), readAll(store(), h.executionId(), 7), readAll(store(), newExecution(), 0))) {
        assertThat(r.frames()).isEmpty();
        assertThat(r.isClosed()).isFalse();
      }
    }

    @Test
    @DisplayName("§8.35 50 frames: read 20, then from <ms>-<seq+1> of the 20th → the other 30")
    void s35() {
      var h = start(store());
      for (int i = 0; i < 50; i++) {
        store().append(h, durable("f" + i));
      }
      var page1 = store().read(h.executionId(), 0, StreamCursor.START, StreamCursor.END, 20);
      assertThat(page1.frames()).hasSize(20);
      var twentieth = page1.frames().getLast().id();
      var next = StreamCursor.at(new EntryId(twentieth.ms(), twentieth.seq() + 1));
      var page2 = store().read(h.executionId(), 0, next, StreamCursor.END, 10_000);
      assertThat(page2.frames()).hasSize(30);
      assertThat(page2.frames().getFirst().id()).isNotEqualTo(twentieth);
      assertThat(texts(page2).getFirst()).isEqualTo("f20");
    }

    @Test
    @DisplayName("§8.36 the lower bound is inclusive")
    void s36() {
      var h = start(store());
      for (int i = 0; i < 5; i++) {
        store().append(h, durable("f" + i));
      }
      var page1 = store().read(h.executionId(), 0, StreamCursor.START, StreamCursor.END, 2);
      var last = page1.frames().getLast().id();
      var page2 = store().read(h.executionId(), 0, StreamCursor.at(last), StreamCursor.END, 100);
      assertThat(page2.frames().getFirst().id()).isEqualTo(last);
      assertThat(page2.frames()).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    @DisplayName("§8.37 attempts of one execution are isolated streams")
    void s37() {
      var eid = newExecution();
      var h0 = store().startAttempt(eid, LEASE);
      store().append(h0, durable("a0-1"));
      store().append(h0, durable("a0-2"));
      store().closeAttempt(h0, CloseReason.ATTEMPT_FAILURE);
      var h1 = store().startAttempt(eid, LEASE);
      assertThat(h1.attemptIndex()).isEqualTo(1);
      var o = store().append(h1, durable("a1-1"));
      assertThat(o.frameCount()).isEqualTo(1);
      assertThat(texts(readAll(store(), eid, 0))).containsExactly("a0-1", "a0-2");
      assertThat(texts(readAll(store(), eid, 1))).containsExactly("a1-1");
      assertThat(readAll(store(), eid, 0).closedReason()).isEqualTo("attempt_failure");
      assertThat(readAll(store(), eid, 1).isClosed()).isFalse();
    }

    @Test
    @DisplayName("§8.40 append, complete → read: 1 frame, attempt_success, closed_at; tail at last id: closed, no frames")
    void s40() {
      var h = start(store());
      var o = store().append(h, durable("only"));
      store().closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      var r = readAll(store(), h);
      assertThat(r.frames()).hasSize(1);
      assertThat(r.closedReason()).isEqualTo("attempt_success");
      assertThat(r.closedAt()).isNotNull().isPositive();
      assertThat(r.isClosed()).isTrue();
      var t = store().tail(h.executionId(), 0, after(o), 0, 10, TailVisibility.ALL);
      assertThat(t.frames()).isEmpty();
      assertThat(t.isClosed()).isTrue();
      assertThat(t.closedReason()).isEqualTo("attempt_success");
    }

    @Test
    @DisplayName("§1.6 an incomplete <ms> is <ms>-0 as a lower bound and the whole millisecond as an upper bound")
    void incompleteBounds() {
      var c = clocked();
      var s = c.store();
      var h = s.startAttempt(newExecution(), LEASE);
      long t = BASE_MS;
      s.append(h, durable("t-0"));
      s.append(h, durable("t-1"));
      s.append(h, durable("t-2"));
      c.clock().set(t + 1);
      s.append(h, durable("t1-0"));
      c.clock().set(t + 2);
      s.append(h, durable("t2-0"));
      var eid = h.executionId();
      assertThat(texts(s.read(eid, 0, StreamCursor.parse("" + t), StreamCursor.parse("" + t), 100)))
          .containsExactly("t-0", "t-1", "t-2");
      assertThat(texts(s.read(eid, 0, StreamCursor.START, StreamCursor.parse("" + t), 100)))
          .containsExactly("t-0", "t-1", "t-2");
      assertThat(texts(s.read(eid, 0, StreamCursor.parse("" + (t + 1)), StreamCursor.END, 100)))
          .containsExactly("t1-0", "t2-0");
      assertThat(texts(s.read(eid, 0, StreamCursor.parse(t + "-1"), StreamCursor.parse("" + (t + 1)), 100)))
          .containsExactly("t-1", "t-2", "t1-0");
      assertThat(texts(s.read(eid, 0, StreamCursor.parse((t + 1) + "-0"), StreamCursor.parse((t + 1) + "-0"), 100)))
          .containsExactly("t1-0");
      assertThat(texts(s.tail(eid, 0, StreamCursor.parse("" + t), 0, 100, TailVisibility.ALL)))
          .containsExactly("t-1", "t-2", "t1-0", "t2-0");
      assertThat(texts(s.tail(eid, 0, StreamCursor.parse(t + "-2"), 0, 100, TailVisibility.ALL)))
          .containsExactly("t1-0", "t2-0");
    }

    @Test
    @DisplayName("§3.2 limit caps the result, oldest first; inverted and empty ranges read nothing")
    void limitsAndEmptyRanges() {
      var h = start(store());
      var first = store().append(h, durable("a"));
      store().append(h, durable("b"));
      var third = store().append(h, durable("c"));
      var eid = h.executionId();
      assertThat(texts(store().read(eid, 0, StreamCursor.START, StreamCursor.END, 2))).containsExactly("a", "b");
      assertThat(store().read(eid, 0, StreamCursor.at(third.id()), StreamCursor.at(first.id()), 10).frames()).isEmpty();
      assertThat(store().read(eid, 0, StreamCursor.END, StreamCursor.END, 10).frames()).isEmpty();
      assertThat(store().read(eid, 0, StreamCursor.START, StreamCursor.START, 10).frames()).isEmpty();
      assertThat(texts(store().read(eid, 0, StreamCursor.START, StreamCursor.at(first.id()), 10))).containsExactly("a");
    }

    @Test
    @DisplayName("§3.2 close markers are reported with every read of a closed stream, even an empty range")
    void closeMarkersOnEmptyRanges() {
      var h = start(store());
      var first = store().append(h, durable("a"));
      var second = store().append(h, durable("b"));
      store().closeAttempt(h, CloseReason.ATTEMPT_CANCELLED);
      var eid = h.executionId();
      assertThat(store().read(eid, 0, StreamCursor.END, StreamCursor.END, 10).closedReason()).isEqualTo("attempt_cancelled");
      assertThat(store().read(eid, 0, StreamCursor.START, StreamCursor.START, 10).closedReason())
          .as("read start..start").isEqualTo("attempt_cancelled");
      assertThat(store().read(eid, 0, StreamCursor.at(second.id()), StreamCursor.at(first.id()), 10).closedReason())
          .as("inverted range").isEqualTo("attempt_cancelled");
    }
  }

  // ================================================================ head

  @Nested
  @DisplayName("Head")
  class Head {

    @Test
    @DisplayName("head of an unknown attempt is empty; a fresh attempt is open with 0-0 and zero counters")
    void freshAndUnknown() {
      var c = clocked();
      assertThat(c.store().head(newExecution(), 0)).isEmpty();
      var h = c.store().startAttempt(newExecution(), LEASE);
      assertThat(c.store().head(h.executionId(), 1)).isEmpty();
      var head = c.store().head(h.executionId(), 0).orElseThrow();
      assertThat(head.lastId()).isEqualTo(EntryId.ZERO);
      assertThat(head.frameCount()).isZero();
      assertThat(head.totalBytes()).isZero();
      assertThat(head.createdAtMs()).isEqualTo(BASE_MS);
      assertThat(head.closedAt()).as("closedAt of an open stream").isNull();
      assertThat(head.closedReason()).isNull();
      assertThat(head.isClosed()).isFalse();
    }

    @Test
    @DisplayName("head tracks the last id and lifetime counters, also across trims and expiry")
    void countersAndLastId() {
      var c = clocked(b -> b.durableRetention(2));
      var h = c.store().startAttempt(newExecution(), Duration.ofDays(1));
      AppendOutcome last = null;
      for (int i = 0; i < 5; i++) {
        c.clock().advance(1);
        last = c.store().append(h, Frame.of("log", new byte[10]));
      }
      var head = c.store().head(h.executionId(), 0).orElseThrow();
      assertThat(head.lastId()).isEqualTo(last.id());
      assertThat(head.frameCount()).isEqualTo(5);
      assertThat(head.totalBytes()).isEqualTo(50);
      assertThat(head.isClosed()).isFalse();
      assertThat(readAll(c.store(), h).frames()).hasSize(2);
      var other = c.store().startAttempt(newExecution(), Duration.ofDays(1));
      var be = c.store().append(other, bestEffort("abc", 1_000));
      c.clock().advance(5_000);
      assertThat(readAll(c.store(), other).frames()).isEmpty();
      var expired = c.store().head(other.executionId(), 0).orElseThrow();
      assertThat(expired.lastId()).isEqualTo(be.id());
      assertThat(expired.frameCount()).isEqualTo(1);
      assertThat(expired.totalBytes()).isEqualTo(3);
    }

    @Test
    @DisplayName("head reports the close markers once closed, the same as read")
    void closed() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      c.store().append(h, durable("x"));
      c.clock().advance(42);
      c.store().closeAttempt(h, CloseReason.ATTEMPT_FAILURE);
      var head = c.store().head(h.executionId(), 0).orElseThrow();
      assertThat(head.closedAt()).isEqualTo(BASE_MS + 42);
      assertThat(head.closedReason()).isEqualTo("attempt_failure");
      assertThat(head.isClosed()).isTrue();
      var r = readAll(c.store(), h);
      assertThat(head.closedAt()).isEqualTo(r.closedAt());
    }
  }

  // ================================================================ tails

  @Nested
  @DisplayName("Tails")
  class Tails {

    @Test
    @DisplayName("§8.42 a never-written attempt, after 0-0, block 200 → empty, open, waited ≥ 150 ms")
    void s42() {
      var h = start(store());
      for (var target : List.of(h.executionId(), newExecution())) {
        long t0 = System.nanoTime();
        var r = store().tail(target, 0, StreamCursor.fromBeginning(), 200, 10, TailVisibility.ALL);
        assertThat(elapsedMs(t0)).isGreaterThanOrEqualTo(150);
        assertThat(r.frames()).isEmpty();
        assertThat(r.isClosed()).isFalse();
      }
    }

    @Test
    @DisplayName("§8.43 a writer appends once a tail is parked → the tail returns exactly that frame, woken early")
    void s43() throws Exception {
      var s = newStore(b -> b.tailRecheckInterval(Duration.ofSeconds(30)));
      var h = start(s);
      long t0 = System.nanoTime();
      var f = async(() -> s.tail(h.executionId(), 0, StreamCursor.fromBeginning(), 10_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> parkedReaders(s) == 1);
      s.append(h, durable("tail-unblock-payload"));
      var r = f.get(9, TimeUnit.SECONDS);
      assertThat(texts(r)).containsExactly("tail-unblock-payload");
      assertThat(elapsedMs(t0)).as("woken before the block elapsed").isLessThan(9_000);
    }

    @Test
    @DisplayName("§8.44 (short) block 1000 with no writer → empty after the block, no error")
    void s44short() {
      var h = start(store());
      long t0 = System.nanoTime();
      var r = store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 1_000, 10, TailVisibility.ALL);
      assertThat(r.frames()).isEmpty();
      assertThat(elapsedMs(t0)).isGreaterThanOrEqualTo(950).isLessThan(6_000);
    }

    @Test
    @Tag("slow")
    @DisplayName("§8.44 block 7000 with no writer → empty after 6.5..9 s, no timeout error")
    void s44() {
      var h = start(store());
      long t0 = System.nanoTime();
      var r = store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 7_000, 10, TailVisibility.ALL);
      assertThat(r.frames()).isEmpty();
      assertThat(elapsedMs(t0)).isBetween(6_500L, 9_000L);
    }

    @Test
    @DisplayName("§8.45 one frame present → block 0 returns it; a long block returns it at once too")
    void s45() {
      var h = start(store());
      store().append(h, durable("present"));
      assertThat(texts(store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 0, 10, TailVisibility.ALL)))
          .containsExactly("present");
      long t0 = System.nanoTime();
      assertThat(texts(store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 30_000, 10, TailVisibility.ALL)))
          .containsExactly("present");
      assertThat(elapsedMs(t0)).isLessThan(10_000);
    }

    @Test
    @DisplayName("§8.46 while tails are parked on every pool connection's worth, an independent append completes")
    void s46() throws Exception {
      var s = newStore(b -> b.poolSize(2).tailRecheckInterval(Duration.ofSeconds(30)));
      var tailed1 = start(s);
      var tailed2 = start(s);
      var other = start(s);
      var f1 = async(() -> s.tail(tailed1.executionId(), 0, StreamCursor.fromBeginning(), 15_000, 10, TailVisibility.ALL));
      var f2 = async(() -> s.tail(tailed2.executionId(), 0, StreamCursor.fromBeginning(), 15_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(s) == 2);
      var append = async(() -> s.append(other, durable("independent")));
      assertThat(append.get(8, TimeUnit.SECONDS).frameCount()).isEqualTo(1);
      assertThat(f1).as("the tail is still parked").isNotDone();
      assertThat(f2).as("the tail is still parked").isNotDone();
      s.append(tailed1, durable("now"));
      s.append(tailed2, durable("now"));
      assertThat(texts(f1.get(10, TimeUnit.SECONDS))).containsExactly("now");
      assertThat(texts(f2.get(10, TimeUnit.SECONDS))).containsExactly("now");
    }

    @Test
    @DisplayName("a store with a pool of one connection opens and serves a parked tail and an append")
    void poolOfOne() throws Exception {
      // a pool of one is a valid setting; opening must not need a second connection
      var opening = async(() -> newStore(b -> b.poolSize(1).tailRecheckInterval(Duration.ofSeconds(30))));
      var s = opening.get(6, TimeUnit.SECONDS);
      var tailed = start(s);
      var other = start(s);
      var f = async(() -> s.tail(tailed.executionId(), 0, StreamCursor.fromBeginning(), 15_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(s) == 1);
      assertThat(async(() -> s.append(other, durable("independent"))).get(8, TimeUnit.SECONDS).frameCount()).isEqualTo(1);
      assertThat(f).isNotDone();
      s.append(tailed, durable("now"));
      assertThat(texts(f.get(10, TimeUnit.SECONDS))).containsExactly("now");
    }

    @Test
    @DisplayName("§8.47 start/end are rejected as tail cursors; 0-0, fromBeginning(), 123-0 and 123 are accepted")
    void s47() {
      var h = start(store());
      var eid = h.executionId();
      for (var bad : List.of(StreamCursor.START, StreamCursor.END)) {
        assertValidation(ValidationKind.INVALID_INPUT,
            () -> store().tail(eid, 0, bad, 0, 10, TailVisibility.ALL), "concrete");
      }
      for (var ok : List.of(StreamCursor.parse("0-0"), StreamCursor.fromBeginning(), StreamCursor.parse("123-0"), StreamCursor.parse("123"))) {
        assertThat(store().tail(eid, 0, ok, 0, 10, TailVisibility.ALL).frames()).isEmpty();
      }
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().tail(eid, 0, StreamCursor.fromBeginning(), 30_001, 10, TailVisibility.ALL), "a tail blocks 0..30000 ms");
    }

    @Test
    @DisplayName("§8.53 pool of 4, 8 parked tails: an append completes before their 5 s block, each gets exactly 1 frame")
    void s53() throws Exception {
      var s = newStore(b -> b.poolSize(4));
      var h = start(s);
      var tails = new ArrayList<Future<StreamFrames>>();
      for (int i = 0; i < 8; i++) {
        tails.add(async(() -> s.tail(h.executionId(), 0, StreamCursor.fromBeginning(), 5_000, 100, TailVisibility.ALL)));
      }
      await().atMost(4, TimeUnit.SECONDS).until(() -> watchedStreams(s) == 1 && parkedReaders(s) == 8);
      long t0 = System.nanoTime();
      var append = async(() -> s.append(h, durable("wake")));
      append.get(4, TimeUnit.SECONDS);
      assertThat(elapsedMs(t0)).as("append completed before the tails' block elapsed").isLessThan(4_000);
      for (var t : tails) {
        assertThat(texts(t.get(10, TimeUnit.SECONDS))).containsExactly("wake");
      }
    }

    @Test
    @DisplayName("§8.57 fast path; woken by an append once parked; block 150 with no writer; Start rejected")
    void s57() throws Exception {
      var h = start(store());
      var first = store().append(h, durable("early"));
      assertThat(texts(store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 0, 10, TailVisibility.ALL)))
          .containsExactly("early");
      long t0 = System.nanoTime();
      int parkedBefore = parkedReaders(store());
      var f = async(() -> store().tail(h.executionId(), 0, after(first), 5_000, 10, TailVisibility.ALL));
      await().atMost(4, TimeUnit.SECONDS).until(() -> parkedReaders(store()) > parkedBefore);
      store().append(h, durable("late"));
      assertThat(texts(f.get(4, TimeUnit.SECONDS))).containsExactly("late");
      assertThat(elapsedMs(t0)).as("woken before the block elapsed").isLessThan(4_500);
      var other = start(store());
      t0 = System.nanoTime();
      assertThat(store().tail(other.executionId(), 0, StreamCursor.fromBeginning(), 150, 10, TailVisibility.ALL).frames()).isEmpty();
      assertThat(elapsedMs(t0)).isGreaterThanOrEqualTo(100);
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().tail(h.executionId(), 0, StreamCursor.START, 0, 10, TailVisibility.ALL));
    }

    @Test
    @DisplayName("§3.3 a tail parked before the attempt exists is woken by its first append (not only by the re-check)")
    void tailBeforeAttemptExists() throws Exception {
      var s = newStore(b -> b.tailRecheckInterval(Duration.ofSeconds(30)));
      var eid = newExecution();
      var f = async(() -> s.tail(eid, 0, StreamCursor.fromBeginning(), 10_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> parkedReaders(s) == 1);
      var h = s.startAttempt(eid, LEASE);
      s.append(h, durable("first"));
      assertThat(texts(f.get(6, TimeUnit.SECONDS))).as("woken before the 10 s block elapsed").containsExactly("first");
    }

    @Test
    @DisplayName("§7.10 ExcludeBestEffort past ≥ limit best-effort frames blocks, then advances to the durable frame")
    void excludeBestEffortNoLivelock() throws Exception {
      var s = newStore(b -> b.tailRecheckInterval(Duration.ofSeconds(30)));
      var h = start(s);
      var eid = h.executionId();
      var d0 = s.append(h, durable("D0"));
      for (int i = 0; i < 30; i++) {
        s.append(h, bestEffort("b" + i, 60_000));
      }
      // nothing visible after D0 yet: a peek is empty, a blocking tail really waits
      assertThat(s.tail(eid, 0, after(d0), 0, 10, TailVisibility.EXCLUDE_BEST_EFFORT).frames()).isEmpty();
      long t0 = System.nanoTime();
      assertThat(s.tail(eid, 0, after(d0), 500, 10, TailVisibility.EXCLUDE_BEST_EFFORT).frames()).isEmpty();
      assertThat(elapsedMs(t0)).as("blocked instead of returning at once").isGreaterThanOrEqualTo(450);
      // parked: woken by best-effort appends it must skip, it keeps waiting for the durable one
      var f = async(() -> s.tail(eid, 0, after(d0), 15_000, 10, TailVisibility.EXCLUDE_BEST_EFFORT));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(s) == 1);
      for (int i = 0; i < 20; i++) {
        s.append(h, bestEffort("c" + i, 60_000));
      }
      assertThat(f).isNotDone();
      s.append(h, durable("D1"));
      assertThat(texts(f.get(12, TimeUnit.SECONDS))).containsExactly("D1");
      // a consumer advancing with limit 1 never sees a best-effort frame and never stalls
      assertThat(texts(s.tail(eid, 0, StreamCursor.fromBeginning(), 0, 1, TailVisibility.EXCLUDE_BEST_EFFORT)))
          .containsExactly("D0");
      assertThat(texts(s.tail(eid, 0, after(d0), 0, 1, TailVisibility.EXCLUDE_BEST_EFFORT))).containsExactly("D1");
    }

    @Test
    @DisplayName("§7.11 a close wakes a parked tail promptly (with the close markers)")
    void closeWakesTail() throws Exception {
      var s = newStore(b -> b.tailRecheckInterval(Duration.ofSeconds(30)));
      var h = start(s);
      var o = s.append(h, durable("x"));
      var f = async(() -> s.tail(h.executionId(), 0, after(o), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(s) == 1);
      s.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      var r = f.get(15, TimeUnit.SECONDS);
      assertThat(r.frames()).isEmpty();
      assertThat(r.isClosed()).isTrue();
      assertThat(r.closedReason()).isEqualTo("attempt_success");
    }

    @Test
    @DisplayName("§7.11 lease-expiry marking and reclaim also wake parked tails")
    void expiryAndReclaimWakeTails() throws Exception {
      var clock = new SettableClock(BASE_MS);
      var s = newIsolatedStore(b -> b.clock(clock).tailRecheckInterval(Duration.ofSeconds(30)));
      var a = s.startAttempt(newExecution(), Duration.ofSeconds(1));
      var f = async(() -> s.tail(a.executionId(), 0, StreamCursor.fromBeginning(), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(s) == 1);
      clock.advance(2_000);
      assertThat(s.expireLeases()).isEqualTo(1);
      assertThat(f.get(15, TimeUnit.SECONDS).closedReason()).isEqualTo("lease_expired");

      var b = s.startAttempt(newExecution(), LEASE);
      var g = async(() -> s.tail(b.executionId(), 0, StreamCursor.fromBeginning(), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(s) == 1);
      s.reclaim(b.executionId(), LEASE);
      assertThat(g.get(15, TimeUnit.SECONDS).closedReason()).isEqualTo("reclaimed");
    }

    @Test
    @DisplayName("§3.3 a tail returns at most limit frames, oldest first, and the close markers once closed")
    void tailBatchesAndMarkers() {
      var h = start(store());
      for (int i = 0; i < 5; i++) {
        store().append(h, durable("f" + i));
      }
      store().closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      var r = store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 1_000, 2, TailVisibility.ALL);
      assertThat(texts(r)).containsExactly("f0", "f1");
      assertThat(r.isClosed()).isTrue();
      var rest = store().tail(h.executionId(), 0, after(r.frames().getLast()), 1_000, 10, TailVisibility.ALL);
      assertThat(texts(rest)).containsExactly("f2", "f3", "f4");
    }

    @Test
    @DisplayName("§5 consumer loop: tail until closed, then drain → every frame once, in order")
    void consumerLoop() throws Exception {
      var h = start(store());
      var producer = async(() -> {
        for (int i = 0; i < 100; i++) {
          store().append(h, durable("m" + i));
          if (i % 10 == 0) {
            Thread.sleep(5);
          }
        }
        store().closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
        return null;
      });
      var seen = new ArrayList<String>();
      StreamCursor cursor = StreamCursor.fromBeginning();
      for (int round = 0; round < 1_000; round++) {
        var r = store().tail(h.executionId(), 0, cursor, 2_000, 7, TailVisibility.ALL);
        seen.addAll(texts(r));
        if (!r.frames().isEmpty()) {
          cursor = after(r.frames().getLast());
        }
        if (r.isClosed()) {
          break;
        }
      }
      producer.get(10, TimeUnit.SECONDS);
      while (true) {
        var drain = store().tail(h.executionId(), 0, cursor, 0, 7, TailVisibility.ALL);
        if (drain.frames().isEmpty()) {
          break;
        }
        seen.addAll(texts(drain));
        cursor = after(drain.frames().getLast());
      }
      assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "m" + i).toList());
    }

    @Test
    @DisplayName("two store instances on one database wake each other's tails (cross-process NOTIFY)")
    void crossInstanceWake() throws Exception {
      var a = newStore(b -> b.tailRecheckInterval(Duration.ofSeconds(30)));
      var b = newStore(c -> c.tailRecheckInterval(Duration.ofSeconds(30)));
      await().atMost(10, TimeUnit.SECONDS).until(() -> listenerReady(a) && listenerReady(b));
      var h = a.startAttempt(newExecution(), LEASE);
      var f = async(() -> a.tail(h.executionId(), 0, StreamCursor.fromBeginning(), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(a) == 1);
      var fromB = b.append(h, durable("from-b"));
      assertThat(texts(f.get(15, TimeUnit.SECONDS))).containsExactly("from-b");
      var g = async(() -> b.tail(h.executionId(), 0, after(fromB), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(b) == 1);
      a.append(h, durable("from-a"));
      assertThat(texts(g.get(15, TimeUnit.SECONDS))).containsExactly("from-a");
      // a close in one instance wakes a tail parked in the other
      var fromA = readAll(a, h).frames().getLast();
      var k = async(() -> b.tail(h.executionId(), 0, after(fromA), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(b) == 1);
      a.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      var closed = k.get(15, TimeUnit.SECONDS);
      assertThat(closed.frames()).isEmpty();
      assertThat(closed.closedReason()).isEqualTo("attempt_success");
    }

    @Test
    @DisplayName("§3.3 LISTEN connection dropped → it reconnects and a parked tail is woken by the next append")
    void listenerReconnects() throws Exception {
      var a = newStore(b -> b.tailRecheckInterval(Duration.ofSeconds(30)));
      var w = newStore(b -> b.tailRecheckInterval(Duration.ofSeconds(30)));
      await().atMost(10, TimeUnit.SECONDS).until(() -> listenerReady(a) && listenerReady(w));
      var h = w.startAttempt(newExecution(), LEASE);
      var f = async(() -> a.tail(h.executionId(), 0, StreamCursor.fromBeginning(), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(a) == 1);
      var before = listenerSessions();
      assertThat(before).isNotEmpty();
      dropListenerSessions();
      await().atMost(10, TimeUnit.SECONDS).until(() -> {
        var now = listenerSessions();
        return now.size() >= before.size() && Collections.disjoint(now, before) && listenerReady(a) && listenerReady(w);
      });
      assertThat(f).isNotDone();
      w.append(h, durable("after-reconnect"));
      assertThat(texts(f.get(15, TimeUnit.SECONDS))).containsExactly("after-reconnect");
    }

    @Test
    @DisplayName("§3.3 LISTEN connection down and unable to reconnect → the re-check interval still delivers the frame")
    void recheckCoversListenerOutage() throws Exception {
      var a = newStore(b -> b.tailRecheckInterval(Duration.ofMillis(300)));
      var w = newStore(b -> b);
      await().atMost(10, TimeUnit.SECONDS).until(() -> listenerReady(a) && listenerReady(w));
      var h = w.startAttempt(newExecution(), LEASE);
      var warm = w.append(h, durable("warm"));
      readAll(a, h);
      var f = async(() -> a.tail(h.executionId(), 0, after(warm), 20_000, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(a) == 1);
      try (var _ = refuseNewConnections()) {
        dropListenerSessions();
        await().atMost(10, TimeUnit.SECONDS).until(() -> listenerSessions().isEmpty() && !listenerReady(a));
        w.append(h, durable("during-outage"));
        assertThat(texts(f.get(10, TimeUnit.SECONDS))).containsExactly("during-outage");
      }
      await().atMost(15, TimeUnit.SECONDS).until(() -> listenerReady(a) && listenerReady(w) && listenerReady(store()));
    }

    @Test
    @DisplayName("§7.9 the waiter map is empty once tails return (woken, timed out, closed, unknown stream)")
    void waiterMapDrains() throws Exception {
      var s = newStore(b -> b.tailRecheckInterval(Duration.ofMillis(200)));
      var handles = IntStream.range(0, 5).mapToObj(i -> start(s)).toList();
      var woken = handles.stream()
          .map(h -> async(() -> s.tail(h.executionId(), 0, StreamCursor.fromBeginning(), 10_000, 10, TailVisibility.ALL)))
          .toList();
      var timesOut = async(() -> s.tail(start(s).executionId(), 0, StreamCursor.fromBeginning(), 300, 10, TailVisibility.ALL));
      var toClose = start(s);
      var closed = async(() -> s.tail(toClose.executionId(), 0, StreamCursor.fromBeginning(), 10_000, 10, TailVisibility.ALL));
      var unknown = async(() -> s.tail(newExecution(), 0, StreamCursor.fromBeginning(), 300, 10, TailVisibility.ALL));
      await().atMost(5, TimeUnit.SECONDS).until(() -> watchedStreams(s) >= 6);
      for (var h : handles) {
        s.append(h, durable("w"));
      }
      s.closeAttempt(toClose, CloseReason.ATTEMPT_SUCCESS);
      for (var f : woken) {
        assertThat(texts(f.get(10, TimeUnit.SECONDS))).containsExactly("w");
      }
      assertThat(timesOut.get(10, TimeUnit.SECONDS).frames()).isEmpty();
      assertThat(closed.get(10, TimeUnit.SECONDS).isClosed()).isTrue();
      assertThat(unknown.get(10, TimeUnit.SECONDS).frames()).isEmpty();
      assertThat(watchedStreams(s)).isZero();
    }
  }

  // ================================================================ leases and fencing

  @Nested
  @DisplayName("Leases and fencing")
  class Leases {

    @Test
    @DisplayName("startAttempt → a handle for attempt 0 with a fresh lease (expiry = now + ttl)")
    void startReturnsHandle() {
      var c = clocked();
      var eid = newExecution();
      var h = c.store().startAttempt(eid, Duration.ofSeconds(30));
      assertThat(h.executionId()).isEqualTo(eid);
      assertThat(h.attemptIndex()).isZero();
      assertThat(h.leaseEpoch()).isPositive();
      assertThat(h.leaseTtlMs()).isEqualTo(30_000);
      assertThat(h.leaseExpiresAtMs()).isEqualTo(BASE_MS + 30_000);
      assertThat(h.attemptId()).isNotNull();
      assertThat(h.leaseId()).isNotNull();
      assertThat(c.store().append(h, durable("x")).frameCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("startAttempt while the current lease is valid → Conflict; the next attempt after a close gets index 1 and a new epoch")
    void startConflictAndNext() {
      var eid = newExecution();
      var h0 = store().startAttempt(eid, LEASE);
      assertThatThrownBy(() -> store().startAttempt(eid, LEASE)).isInstanceOf(ConflictException.class);
      store().closeAttempt(h0, CloseReason.ATTEMPT_FAILURE);
      var h1 = store().startAttempt(eid, LEASE);
      assertThat(h1.attemptIndex()).isEqualTo(1);
      assertThat(h1.leaseEpoch()).isGreaterThan(h0.leaseEpoch());
      assertThat(h1.leaseId()).isNotEqualTo(h0.leaseId());
      assertThat(h1.attemptId()).isNotEqualTo(h0.attemptId());
      // the old attempt's handle now meets a closed stream
      assertThatThrownBy(() -> store().append(h0, durable("late"))).isInstanceOf(StreamClosedException.class);
    }

    @Test
    @DisplayName("startAttempt after the lease expired (unmarked) closes the old attempt with lease_expired")
    void startAfterExpiry() {
      var c = clocked();
      var eid = newExecution();
      var h0 = c.store().startAttempt(eid, Duration.ofMillis(200));
      c.store().append(h0, durable("x"));
      c.clock().advance(300);
      var h1 = c.store().startAttempt(eid, LEASE);
      assertThat(h1.attemptIndex()).isEqualTo(1);
      var r = readAll(c.store(), eid, 0);
      assertThat(r.closedReason()).isEqualTo("lease_expired");
      assertThat(r.closedAt()).isEqualTo(BASE_MS + 300);
      assertThatThrownBy(() -> c.store().append(h0, durable("zombie"))).isInstanceOf(StaleOwnerException.class);
    }

    @Test
    @DisplayName("§8.11 stale epoch (after reclaim), higher epoch, other lease id, other attempt → StaleOwner, nothing written")
    void s11() {
      var eid = newExecution();
      var h = store().startAttempt(eid, LEASE);
      store().append(h, durable("mine"));
      for (var forged : List.of(withEpoch(h, h.leaseEpoch() + 1), withEpoch(h, h.leaseEpoch() - 1),
          withLease(h, UUID.randomUUID()), withAttempt(h, 1), withAttempt(h, 0xFFFF_FFFFL))) {
        assertThatThrownBy(() -> store().append(forged, durable("forged")))
            .as("forged %s", forged)
            .isInstanceOfSatisfying(StaleOwnerException.class, e -> assertThat(e.code()).isEqualTo("stale_owner_cannot_append"));
      }
      var h2 = store().reclaim(eid, LEASE);
      assertThat(h2.leaseEpoch()).isEqualTo(h.leaseEpoch() + 1);
      assertThat(h2.attemptIndex()).isEqualTo(1);
      assertThatThrownBy(() -> store().append(h, durable("zombie"))).isInstanceOf(StaleOwnerException.class);
      // a handle pointing the new attempt at the old lease is stale too
      assertThatThrownBy(() -> store().append(withAttempt(h, 1), durable("zombie"))).isInstanceOf(StaleOwnerException.class);
      assertThat(texts(readAll(store(), eid, 0))).containsExactly("mine");
      assertThat(readAll(store(), eid, 1).frames()).isEmpty();
      assertThat(store().append(h2, durable("new owner")).frameCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("§8.11 an expired lease → StaleOwner; the append does not itself mark the lease expired")
    void expiredLease() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), Duration.ofSeconds(5));
      c.store().append(h, durable("in time"));
      c.clock().set(BASE_MS + 4_999);
      c.store().append(h, durable("just in time"));
      c.clock().set(BASE_MS + 5_000);
      assertThatThrownBy(() -> c.store().append(h, durable("late"))).isInstanceOf(StaleOwnerException.class);
      var r = readAll(c.store(), h);
      assertThat(texts(r)).containsExactly("in time", "just in time");
      assertThat(r.isClosed()).isFalse();
    }

    @Test
    @DisplayName("§8.12 a handle for an execution that never started → StaleOwner, nothing written")
    void s12() {
      var h = start(store());
      var foreign = withExecution(h, newExecution());
      assertThatThrownBy(() -> store().append(foreign, durable("x"))).isInstanceOf(StaleOwnerException.class);
      assertThat(readAll(store(), foreign.executionId(), 0).frames()).isEmpty();
    }

    @Test
    @DisplayName("§8.41 lease_expired via marking; a second marking changes nothing; reclaim rewrites it to reclaimed")
    void s41() {
      var clock = new SettableClock(BASE_MS);
      var s = newIsolatedStore(b -> b.clock(clock));
      var eid = newExecution();
      var h = s.startAttempt(eid, Duration.ofMillis(200));
      s.append(h, durable("one"));
      assertThat(s.expireLeases()).isZero();
      clock.advance(350);
      assertThat(s.expireLeases()).isEqualTo(1);
      var r = readAll(s, eid, 0);
      assertThat(r.frames()).hasSize(1);
      assertThat(r.closedReason()).isEqualTo("lease_expired");
      assertThat(r.closedAt()).isEqualTo(BASE_MS + 350);
      assertThatThrownBy(() -> s.append(h, durable("zombie"))).isInstanceOf(StaleOwnerException.class);
      clock.advance(100);
      assertThat(s.expireLeases()).isZero();
      assertThat(readAll(s, eid, 0).closedAt()).isEqualTo(BASE_MS + 350);
      clock.advance(50);
      var h2 = s.reclaim(eid, LEASE);
      assertThat(h2.attemptIndex()).isEqualTo(1);
      assertThat(h2.leaseEpoch()).isEqualTo(h.leaseEpoch() + 1);
      var old = readAll(s, eid, 0);
      assertThat(old.closedReason()).isEqualTo("reclaimed");
      assertThat(old.closedAt()).isEqualTo(BASE_MS + 500);
      assertThat(s.expireLeases()).isZero();
      assertThat(readAll(s, eid, 0).closedReason()).isEqualTo("reclaimed");
      assertThat(readAll(s, eid, 1).isClosed()).isFalse();
    }

    @Test
    @DisplayName("§3.5 expiry marking never overwrites an earlier close; it counts only open expired attempts")
    void markingKeepsEarlierClose() {
      var clock = new SettableClock(BASE_MS);
      var s = newIsolatedStore(b -> b.clock(clock));
      var done = s.startAttempt(newExecution(), Duration.ofMillis(100));
      s.closeAttempt(done, CloseReason.ATTEMPT_SUCCESS);
      var open1 = s.startAttempt(newExecution(), Duration.ofMillis(100));
      var open2 = s.startAttempt(newExecution(), Duration.ofMillis(100));
      var alive = s.startAttempt(newExecution(), LEASE);
      clock.advance(1_000);
      assertThat(s.expireLeases()).isEqualTo(2);
      assertThat(readAll(s, done).closedReason()).isEqualTo("attempt_success");
      assertThat(readAll(s, done).closedAt()).isEqualTo(BASE_MS);
      assertThat(readAll(s, open1).closedReason()).isEqualTo("lease_expired");
      assertThat(readAll(s, open2).closedReason()).isEqualTo("lease_expired");
      assertThat(readAll(s, alive).isClosed()).isFalse();
    }

    @Test
    @DisplayName("renew extends the lease (same epoch and lease id); after expiry or close it is refused")
    void renew() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), Duration.ofMillis(1_000));
      c.clock().advance(800);
      var r = c.store().renewLease(h, Duration.ofMillis(1_000));
      assertThat(r.leaseExpiresAtMs()).isEqualTo(BASE_MS + 1_800);
      assertThat(r.leaseEpoch()).isEqualTo(h.leaseEpoch());
      assertThat(r.leaseId()).isEqualTo(h.leaseId());
      assertThat(r.leaseTtlMs()).isEqualTo(1_000);
      c.clock().set(BASE_MS + 1_500);
      assertThat(c.store().append(r, durable("after the original expiry")).frameCount()).isEqualTo(1);
      c.clock().set(BASE_MS + 1_800);
      assertThatThrownBy(() -> c.store().append(r, durable("late"))).isInstanceOf(StaleOwnerException.class);
      assertThatThrownBy(() -> c.store().renewLease(r, Duration.ofMillis(1_000))).isInstanceOf(StaleOwnerException.class);

      var h2 = c.store().startAttempt(newExecution(), LEASE);
      assertThatThrownBy(() -> c.store().renewLease(withEpoch(h2, h2.leaseEpoch() + 1), LEASE))
          .isInstanceOf(StaleOwnerException.class);
      c.store().closeAttempt(h2, CloseReason.ATTEMPT_SUCCESS);
      assertThatThrownBy(() -> c.store().renewLease(h2, LEASE)).isInstanceOf(StreamClosedException.class);
      for (var bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-5)}) {
        assertValidation(ValidationKind.INVALID_INPUT, () -> c.store().renewLease(h2, bad));
      }
    }

    @ParameterizedTest
    @EnumSource(CloseReason.class)
    @DisplayName("§3.5 every close reason is recorded and reported; appends then fail")
    void closeReasons(CloseReason reason) {
      var h = start(store());
      store().append(h, durable("x"));
      store().closeAttempt(h, reason);
      var r = readAll(store(), h);
      assertThat(r.closedReason()).isEqualTo(reason.wire());
      assertThat(r.isClosed()).isTrue();
      assertThatThrownBy(() -> store().append(h, durable("y")))
          .isInstanceOfAny(StreamClosedException.class, StaleOwnerException.class);
      assertThat(readAll(store(), h).frames()).hasSize(1);
    }

    @Test
    @DisplayName("§7.12 an attempt closed before any append reads as closed")
    void closeWithoutFrames() {
      var h = start(store());
      store().closeAttempt(h, CloseReason.ATTEMPT_CANCELLED);
      var r = readAll(store(), h);
      assertThat(r.frames()).isEmpty();
      assertThat(r.closedReason()).isEqualTo("attempt_cancelled");
      assertThat(store().tail(h.executionId(), 0, StreamCursor.fromBeginning(), 0, 10, TailVisibility.ALL).isClosed()).isTrue();
    }

    @Test
    @DisplayName("closeAttempt: twice → StreamClosed; with a stale handle → StaleOwner; null reason → Validation")
    void closeErrors() {
      var eid = newExecution();
      var h = store().startAttempt(eid, LEASE);
      assertValidation(ValidationKind.INVALID_INPUT, () -> store().closeAttempt(h, null));
      assertThatThrownBy(() -> store().closeAttempt(withEpoch(h, h.leaseEpoch() + 1), CloseReason.ATTEMPT_SUCCESS))
          .isInstanceOf(StaleOwnerException.class);
      store().closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      assertThatThrownBy(() -> store().closeAttempt(h, CloseReason.ATTEMPT_FAILURE))
          .isInstanceOfSatisfying(StreamClosedException.class, e -> assertThat(e.closedReason()).isEqualTo("attempt_success"));
      assertThat(readAll(store(), h).closedReason()).isEqualTo("attempt_success");
      var h1 = store().startAttempt(eid, LEASE);
      store().reclaim(eid, LEASE);
      assertThatThrownBy(() -> store().closeAttempt(h1, CloseReason.ATTEMPT_SUCCESS)).isInstanceOf(StaleOwnerException.class);
    }

    @Test
    @DisplayName("reclaim of an execution that never had an attempt → NotFound; lease ttl must be ≥ 1 ms")
    void reclaimUnknownAndTtl() {
      assertThatThrownBy(() -> store().reclaim(newExecution(), LEASE)).isInstanceOf(NotFoundException.class);
      for (var bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
        assertValidation(ValidationKind.INVALID_INPUT, () -> store().startAttempt(newExecution(), bad));
      }
    }

    @Test
    @DisplayName("§1.1 the partition is part of the execution id: {fp:1}:U and {fp:2}:U are different executions")
    void partitionIsPartOfTheExecutionId() {
      var uuid = UUID.randomUUID();
      var one = new ExecutionId(1, uuid);
      var two = new ExecutionId(2, uuid);
      var h = store().startAttempt(one, LEASE);
      store().append(h, durable("in fp:1"));
      assertThat(readAll(store(), two, 0).frames()).as("read of {fp:2}:U").isEmpty();
      assertThatThrownBy(() -> store().append(withExecution(h, two), durable("into fp:2")))
          .as("a handle naming {fp:2}:U").isInstanceOf(StaleOwnerException.class);
      assertThat(texts(readAll(store(), one, 0))).containsExactly("in fp:1");
    }

    @Test
    @DisplayName("an AttemptRef (Handle.attempt()) addresses the same stream as its execution id and index")
    void attemptRefAddressesTheStream() {
      var h = start(store());
      store().append(h, durable("one"));
      store().append(h, summary("{\"a\":1}"));
      var ref = h.attempt();
      assertThat(ref).isEqualTo(new io.tributary.api.AttemptRef(h.executionId(), h.attemptIndex()));
      assertThat(texts(store().read(ref, StreamCursor.START, StreamCursor.END, 10))).containsExactly("one", "{\"a\":1}");
      assertThat(store().head(ref)).isEqualTo(store().head(h.executionId(), h.attemptIndex()));
      assertThat(store().readSummary(ref).orElseThrow().version()).isEqualTo(1);
      var tailed = store().tail(ref, StreamCursor.fromBeginning(), io.tributary.api.TailOptions.peek().withLimit(1));
      assertThat(texts(tailed)).containsExactly("one");
      assertValidation(ValidationKind.INVALID_INPUT, () -> new io.tributary.api.AttemptRef(h.executionId(), -1));
    }

    @Test
    @DisplayName("a handle survives its token form: handles().fromToken(handles().toToken(h)) appends")
    void tokenRoundTrip() {
      var h = start(store());
      var decoded = store().handles().fromToken(store().handles().toToken(h));
      assertThat(decoded).isEqualTo(h);
      assertThat(store().append(decoded, durable("via token")).frameCount()).isEqualTo(1);
      assertThat(store().handles().decode(store().handles().encode(h))).isEqualTo(h);
    }

    @Test
    @DisplayName("§8.6 garbled, truncated or foreign tokens → Corruption / HandleFromOtherBackend, never a crash")
    void garbledTokens() {
      var h = start(store());
      byte[] bytes = store().handles().encode(h);
      for (int len = 0; len < bytes.length; len++) {
        byte[] cut = java.util.Arrays.copyOf(bytes, len);
        assertValidation(ValidationKind.CORRUPTION,
            () -> store().handles().fromToken(java.util.Base64.getUrlEncoder().encodeToString(cut)));
      }
      for (byte tag = 1; tag <= 3; tag++) { // FlowFabric's backend tags; one of them is the store's
        if (tag != bytes[2]) {
          byte[] foreign = bytes.clone();
          foreign[2] = tag;
          assertValidation(ValidationKind.HANDLE_FROM_OTHER_BACKEND, () -> store().handles().decode(foreign));
        }
      }
      assertValidation(ValidationKind.CORRUPTION, () -> store().handles().fromToken("%%%"));
      assertValidation(ValidationKind.CORRUPTION, () -> store().handles().fromToken(store().handles().toToken(h) + "AA"));
      // a bit flip that still decodes yields a handle the fence rejects
      for (int i = 3; i < bytes.length; i++) {
        byte[] flipped = bytes.clone();
        flipped[i] ^= 0x01;
        Handle forged;
        try {
          forged = store().handles().decode(flipped);
        } catch (ValidationException expected) {
          continue;
        }
        if (forged.equals(h) || forged.leaseId().equals(h.leaseId()) && forged.leaseEpoch() == h.leaseEpoch()
            && forged.attemptIndex() == h.attemptIndex() && forged.executionId().uuid().equals(h.executionId().uuid())) {
          // the flip hit a field the fence does not check (ttl, expiry, lane, worker, attempt id), or
          // only the partition digit (see partitionIsPartOfTheExecutionId)
          continue;
        }
        var t = catchThrowable(() -> store().append(forged, durable("forged")));
        assertThat(t).as("flip at %d", i).isInstanceOfAny(StaleOwnerException.class, StreamClosedException.class);
      }
      assertThat(readAll(store(), h).frames()).isEmpty();
    }
  }

  // ================================================================ ids

  @Nested
  @DisplayName("Entry ids (§7.7)")
  class Ids {

    @Test
    @DisplayName("§7.7 ids strictly increase when the clock steps back (last ms reused, seq + 1)")
    void clockStepBack() {
      var c = clocked();
      var s = c.store();
      var h = s.startAttempt(newExecution(), LEASE);
      var ids = new ArrayList<EntryId>();
      ids.add(s.append(h, durable("t")).id());
      c.clock().set(BASE_MS - 5_000);
      ids.add(s.append(h, durable("back 5 s")).id());
      ids.add(s.append(h, durable("still back")).id());
      c.clock().set(BASE_MS + 1);
      ids.add(s.append(h, durable("forward")).id());
      c.clock().set(BASE_MS - 100_000);
      ids.add(s.append(h, bestEffort("back again", 0)).id());
      ids.add(s.append(h, summary("{\"a\":1}")).id());
      assertThat(ids).containsExactly(
          new EntryId(BASE_MS, 0), new EntryId(BASE_MS, 1), new EntryId(BASE_MS, 2),
          new EntryId(BASE_MS + 1, 0), new EntryId(BASE_MS + 1, 1), new EntryId(BASE_MS + 1, 2));
      assertThat(ids(readAll(s, h))).containsExactlyElementsOf(ids);
    }

    @Test
    @DisplayName("§1.6 seq restarts at 0 for each new millisecond and counts up within one")
    void seqPerMillisecond() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), LEASE);
      for (int i = 0; i < 5; i++) {
        assertThat(c.store().append(h, durable("x")).id()).isEqualTo(new EntryId(BASE_MS, i));
      }
      c.clock().advance(7);
      assertThat(c.store().append(h, durable("y")).id()).isEqualTo(new EntryId(BASE_MS + 7, 0));
    }

    @Test
    @DisplayName("§7.7 several writers with skewed clocks (two store instances) still produce increasing ids")
    void skewedWriters() throws Exception {
      var clockA = new SettableClock(BASE_MS);
      var clockB = new SettableClock(BASE_MS - 10_000);
      var a = newStore(b -> b.clock(clockA));
      var b = newStore(c -> c.clock(clockB));
      var h = a.startAttempt(newExecution(), LEASE);
      var ids = new ArrayList<EntryId>();
      for (int i = 0; i < 20; i++) {
        ids.add((i % 2 == 0 ? a : b).append(h, durable("i" + i)).id());
        clockA.advance(1);
        clockB.advance(1);
      }
      assertStrictlyIncreasing(ids);
      var futures = new ArrayList<Future<List<EntryId>>>();
      for (int t = 0; t < 8; t++) {
        var store = t % 2 == 0 ? a : b;
        var clock = t % 2 == 0 ? clockA : clockB;
        futures.add(async(() -> {
          var mine = new ArrayList<EntryId>();
          for (int i = 0; i < 50; i++) {
            if (i % 7 == 0) {
              clock.advance(ThreadLocalRandom.current().nextInt(-3, 4));
            }
            mine.add(store.append(h, durable("c")).id());
          }
          return mine;
        }));
      }
      for (var f : futures) {
        assertStrictlyIncreasing(f.get(60, TimeUnit.SECONDS));
      }
      var all = ids(readAll(a, h));
      assertThat(all).hasSize(20 + 400).doesNotHaveDuplicates();
      assertStrictlyIncreasing(all);
    }

    @Test
    @DisplayName("ids keep working past 2039-09-07 (41-bit millisecond limit of the packed position)")
    void farFutureClock() {
      var c = clocked();
      var h = c.store().startAttempt(newExecution(), Duration.ofDays(365L * 20));
      long t2040 = Instant.parse("2040-01-01T00:00:00Z").toEpochMilli();
      c.clock().set(t2040);
      var o = c.store().append(h, durable("future"));
      assertThat(o.id()).isEqualTo(new EntryId(t2040, 0));
      assertThat(ids(readAll(c.store(), h))).containsExactly(o.id());
    }

    @Test
    @DisplayName("§1.6 a far-future upper bound (to=9999999999999) reads everything")
    void farFutureUpperBound() {
      var h = start(store());
      store().append(h, durable("x"));
      var r = store().read(h.executionId(), 0, StreamCursor.START, StreamCursor.parse("9999999999999"), 10);
      assertThat(texts(r)).containsExactly("x");
    }
  }

  // ================================================================ concurrency

  @Nested
  @DisplayName("Concurrency")
  class Concurrency {

    @Test
    @DisplayName("appendAsync: one producer with 500 appends in flight gets them committed in order, ids increasing")
    void pipelinedAppendsKeepOrder() {
      var h = start(store());
      var other = start(store());
      var futures = new ArrayList<java.util.concurrent.CompletableFuture<AppendOutcome>>();
      for (int i = 0; i < 500; i++) {
        futures.add(store().appendAsync(h, durable("p" + i)));
        if (i % 50 == 0) {
          futures.add(store().appendAsync(other, durable("o" + i)));
        }
      }
      var outcomes = futures.stream().map(java.util.concurrent.CompletableFuture::join).toList();
      var mine = outcomes.stream().filter(o -> o.frameCount() > 0).toList();
      assertThat(mine).hasSize(510);
      var texts = texts(readAll(store(), h));
      assertThat(texts).hasSize(500);
      for (int i = 0; i < 500; i++) {
        assertThat(texts.get(i)).isEqualTo("p" + i);
      }
      var ids = readAll(store(), h).frames().stream().map(StreamFrame::id).toList();
      assertThat(ids).isSorted().doesNotHaveDuplicates();
      assertThat(readAll(store(), other).frames()).hasSize(10);
    }

    @Test
    @DisplayName("appendAsync reports a rejected append as a failed future, not a thrown exception")
    void asyncRejectionIsAFailedFuture() {
      var h = start(store());
      var tooBig = Frame.of("log", new byte[DEFAULT_MAX_PAYLOAD_BYTES + 1]);
      var f = store().appendAsync(h, tooBig);
      assertThat(f).isCompletedExceptionally();
      assertThatThrownBy(f::join).hasCauseInstanceOf(ValidationException.class);
      store().closeAttempt(h, CloseReason.ATTEMPT_SUCCESS);
      assertThatThrownBy(() -> store().appendAsync(h, durable("late")).join())
          .hasCauseInstanceOf(StreamClosedException.class);
    }

    private Map<String, AppendOutcome> writeConcurrently(List<Handle> handles, int writers, int perWriter) throws Exception {
      var go = new CountDownLatch(1);
      var futures = new ArrayList<Future<Map<String, AppendOutcome>>>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        var h = handles.get(w % handles.size());
        futures.add(async(() -> {
          go.await();
          var mine = new java.util.LinkedHashMap<String, AppendOutcome>();
          for (int i = 0; i < perWriter; i++) {
            String p = "w" + writer + "-" + i;
            mine.put(p, store().append(h, durable(p)));
          }
          return mine;
        }));
      }
      go.countDown();
      var all = new HashMap<String, AppendOutcome>();
      for (var f : futures) {
        var mine = f.get(120, TimeUnit.SECONDS);
        assertStrictlyIncreasing(mine.values().stream().map(AppendOutcome::id).toList());
        var counts = mine.values().stream().map(AppendOutcome::frameCount).toList();
        assertThat(counts).isSorted().doesNotHaveDuplicates();
        all.putAll(mine);
      }
      return all;
    }

    @Test
    @DisplayName("8 writers on one stream: ids unique and increasing, nothing lost, lifetime counts 1..800 exactly")
    void eightWritersOneStream() throws Exception {
      var h = start(store());
      var outcomes = writeConcurrently(List.of(h), 8, 100);
      assertThat(outcomes).hasSize(800);
      assertThat(outcomes.values().stream().map(AppendOutcome::frameCount).sorted().toList())
          .containsExactlyElementsOf(IntStream.rangeClosed(1, 800).mapToObj(Long::valueOf).toList());
      var r = readAll(store(), h).frames();
      assertThat(r).hasSize(800);
      assertStrictlyIncreasing(r.stream().map(StreamFrame::id).toList());
      for (var f : r) {
        assertThat(outcomes.get(text(f)).id()).as(text(f)).isEqualTo(f.id());
      }
      // the frame count reported by an append is its rank in the stream
      for (int i = 0; i < r.size(); i++) {
        assertThat(outcomes.get(text(r.get(i))).frameCount()).isEqualTo(i + 1);
      }
    }

    @Test
    @DisplayName("8 writers on 8 streams: each stream complete, in order, counts 1..100")
    void eightWritersEightStreams() throws Exception {
      var handles = IntStream.range(0, 8).mapToObj(i -> start(store())).toList();
      var outcomes = writeConcurrently(handles, 8, 100);
      assertThat(outcomes).hasSize(800);
      for (int w = 0; w < 8; w++) {
        var r = readAll(store(), handles.get(w));
        int writer = w;
        assertThat(texts(r)).containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "w" + writer + "-" + i).toList());
        assertStrictlyIncreasing(ids(r));
        assertThat(outcomes.get("w" + w + "-99").frameCount()).isEqualTo(100);
      }
    }

    @Test
    @DisplayName("8 writers of summary deltas on one stream: versions 1..N each once, every key merged")
    void concurrentSummaries() throws Exception {
      var h = start(store());
      var go = new CountDownLatch(1);
      var futures = new ArrayList<Future<List<Long>>>();
      for (int w = 0; w < 8; w++) {
        int writer = w;
        futures.add(async(() -> {
          go.await();
          var versions = new ArrayList<Long>();
          for (int i = 0; i < 25; i++) {
            versions.add(store().append(h, summary("{\"w" + writer + "\":" + i + ",\"k" + writer + "_" + i + "\":true}")).summaryVersion());
          }
          return versions;
        }));
      }
      go.countDown();
      var all = new ArrayList<Long>();
      for (var f : futures) {
        var mine = f.get(120, TimeUnit.SECONDS);
        assertThat(mine).isSorted().doesNotHaveDuplicates();
        all.addAll(mine);
      }
      assertThat(all.stream().sorted().toList())
          .containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(Long::valueOf).toList());
      var doc = summaryOf(store(), h);
      assertThat(doc.version()).isEqualTo(200);
      var obj = json(doc.documentJson()).asJsonObject();
      assertThat(obj).hasSize(8 + 200);
      for (int w = 0; w < 8; w++) {
        assertThat(obj.getJsonNumber("w" + w).intValue()).isEqualTo(24);
      }
    }

    @Test
    @DisplayName("concurrent starts of one new execution: exactly one wins, the rest get Conflict")
    void concurrentStarts() throws Exception {
      var eid = newExecution();
      var go = new CountDownLatch(1);
      var futures = new ArrayList<Future<Object>>();
      for (int i = 0; i < 8; i++) {
        futures.add(async(() -> {
          go.await();
          try {
            return store().startAttempt(eid, LEASE);
          } catch (TributaryException e) {
            return e;
          }
        }));
      }
      go.countDown();
      var results = new ArrayList<>();
      for (var f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      assertThat(results.stream().filter(Handle.class::isInstance)).hasSize(1);
      assertThat(results.stream().filter(ConflictException.class::isInstance)).hasSize(7);
    }

    @Test
    @DisplayName("a rejected append never fails the other appends committed with it, and is a typed error")
    void rejectedAppendDoesNotPoisonOthers() throws Exception {
      var good = IntStream.range(0, 7).mapToObj(i -> start(store())).toList();
      var bad = start(store());
      var stop = new AtomicBoolean();
      var badErrors = new ConcurrentLinkedQueue<Throwable>();
      var goodErrors = new ConcurrentLinkedQueue<String>();
      var badWriter = async(() -> {
        int n = 0;
        while (!stop.get()) {
          var frame = n++ % 2 == 0
              ? new Frame("p".getBytes(StandardCharsets.UTF_8), FrameKind.EVENT, "bad\u0000type", null, null)
              : new Frame("p".getBytes(StandardCharsets.UTF_8), FrameKind.EVENT, "log", "corr\u0000id", null);
          badErrors.add(catchThrowable(() -> store().append(bad, frame)));
        }
        return n;
      });
      var writers = new ArrayList<Future<Void>>();
      for (var h : good) {
        writers.add(async(() -> {
          for (int i = 0; i < 150; i++) {
            try {
              store().append(h, durable("g" + i));
            } catch (TributaryException e) {
              goodErrors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
          }
          return null;
        }));
      }
      for (var w : writers) {
        w.get(120, TimeUnit.SECONDS);
      }
      stop.set(true);
      badWriter.get(30, TimeUnit.SECONDS);
      assertThat(goodErrors).as("well-formed appends that failed").isEmpty();
      assertThat(badErrors).isNotEmpty().allSatisfy(t -> assertThat(t).isInstanceOf(ValidationException.class));
      for (var h : good) {
        assertThat(readAll(store(), h).frames()).hasSize(150);
      }
      assertThat(readAll(store(), bad).frames()).isEmpty();
    }
  }

  // ================================================================ bad input

  @Nested
  @DisplayName("Bad input")
  class BadInput {

    @Test
    @DisplayName("§8.38/§8.39 limit 0 and 10001 are validation errors for read and tail; 10000 is fine")
    void limits() {
      var h = start(store());
      var eid = h.executionId();
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().read(eid, 0, StreamCursor.START, StreamCursor.END, 0), "limit must be >= 1");
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().tail(eid, 0, StreamCursor.fromBeginning(), 0, 0, TailVisibility.ALL), "limit must be >= 1");
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().read(eid, 0, StreamCursor.START, StreamCursor.END, 10_001), "limit exceeds the hard cap");
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().tail(eid, 0, StreamCursor.fromBeginning(), 0, 10_001, TailVisibility.ALL), "limit exceeds the hard cap");
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().read(eid, 0, StreamCursor.START, StreamCursor.END, -1));
      assertThat(store().read(eid, 0, StreamCursor.START, StreamCursor.END, 10_000).frames()).isEmpty();
      assertThat(store().tail(eid, 0, StreamCursor.fromBeginning(), 0, 10_000, TailVisibility.ALL).frames()).isEmpty();
    }

    @Test
    @DisplayName("§8.47/§8.49 a block above 30000 ms or negative is a validation error; 30000 is accepted")
    void blockMs() {
      var h = start(store());
      store().append(h, durable("x"));
      var eid = h.executionId();
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().tail(eid, 0, StreamCursor.fromBeginning(), 30_001, 10, TailVisibility.ALL), "a tail blocks 0..30000 ms");
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().tail(eid, 0, StreamCursor.fromBeginning(), -1, 10, TailVisibility.ALL), "a tail blocks 0..30000 ms");
      assertThat(store().tail(eid, 0, StreamCursor.fromBeginning(), 30_000, 10, TailVisibility.ALL).frames()).hasSize(1);
    }

    @Test
    @DisplayName("§8.2 malformed cursor tokens are rejected with their own kinds before reaching the store")
    void cursors() {
      assertValidation(ValidationKind.EMPTY_CURSOR, () -> StreamCursor.parse(""));
      assertValidation(ValidationKind.BARE_MARKER_REJECTED, () -> StreamCursor.parse("-"));
      assertValidation(ValidationKind.BARE_MARKER_REJECTED, () -> StreamCursor.parse("+"));
      for (var bad : List.of("abc", "-1", "1-", "1-2-3", "1.2", "Start", "END", "1–2")) {
        assertValidation(ValidationKind.MALFORMED_CURSOR, () -> StreamCursor.parse(bad));
      }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("io.tributary.contract.StreamStoreContract#badPatches")
    @DisplayName("§8.21 an invalid patch is invalid_input; summary version, document and frame count unchanged")
    void invalidPatch(String name, byte[] payload, String detail) {
      var h = start(store());
      store().append(h, summary("{\"ok\":1}"));
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, Frame.of("summary", payload).withMode(StreamMode.durableSummary())), detail);
      var doc = summaryOf(store(), h);
      assertThat(doc.version()).isEqualTo(1);
      assertJson(doc.documentJson(), "{\"ok\":1}");
      assertThat(readAll(store(), h).frames()).hasSize(1);
      var next = store().append(h, summary("{\"ok\":2}"));
      assertThat(next.summaryVersion()).isEqualTo(2);
      assertThat(next.frameCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("§8.21 unsupported patch kind → invalid_input; a first bad patch creates no summary")
    void patchKindAndFirstPatch() {
      var h = start(store());
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, Frame.of("s", "{\"a\":1}").withMode(new StreamMode.DurableSummary(null))), "unsupported patch_kind");
      assertValidation(ValidationKind.INVALID_INPUT, () -> store().append(h, summary("[1]")));
      assertValidation(ValidationKind.INVALID_INPUT, () -> store().append(h, summary("{\"a\":\"\\ud800\"}")));
      assertThat(store().readSummary(h.executionId(), 0)).isEmpty();
      assertThat(readAll(store(), h).frames()).isEmpty();
      assertThat(store().append(h, summary("{\"a\":1}")).summaryVersion()).isEqualTo(1);
    }

    @Test
    @DisplayName("text fields PostgreSQL cannot store (NUL in frame_type / correlation_id) → a typed validation error")
    void nulInTextFields() {
      var h = start(store());
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, new Frame(new byte[] {1}, FrameKind.EVENT, "a\u0000b", null, null)));
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, new Frame(new byte[] {1}, FrameKind.EVENT, "log", "c\u0000", null)));
      assertThat(readAll(store(), h).frames()).isEmpty();
      assertThat(store().append(h, durable("fine")).frameCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("a handle without an execution id is refused with a validation error, not a database/batch failure")
    void handleWithoutExecutionId() {
      var h = start(store());
      var t = catchThrowable(() -> store().append(
          new Handle(null, 0, h.attemptId(), h.leaseId(), h.leaseEpoch(), 1, 1, "", ""), durable("x")));
      assertThat(t).as("thrown %s", t).isInstanceOfAny(ValidationException.class, NullPointerException.class);
      assertThat(t).as("must not look like a retryable outage").isNotInstanceOf(UnavailableException.class);
    }

    @Test
    @DisplayName("null handle or frame → validation error")
    void nulls() {
      var h = start(store());
      assertValidation(ValidationKind.INVALID_INPUT, () -> store().append(null, durable("x")));
      assertValidation(ValidationKind.INVALID_INPUT, () -> store().append(h, null));
    }

    @Test
    @DisplayName("a closed store refuses every operation with UnavailableException (no hang)")
    void closedStore() {
      var s = newStore(b -> b);
      var h = start(s);
      s.close();
      var eid = h.executionId();
      for (ThrowingCallable call : List.<ThrowingCallable>of(
          () -> s.append(h, durable("x")),
          () -> s.read(eid, 0, StreamCursor.START, StreamCursor.END, 10),
          () -> s.tail(eid, 0, StreamCursor.fromBeginning(), 100, 10, TailVisibility.ALL),
          () -> s.readSummary(eid, 0),
          () -> s.startAttempt(newExecution(), LEASE),
          () -> s.closeAttempt(h, CloseReason.ATTEMPT_SUCCESS),
          () -> s.expireLeases())) {
        assertThat(catchThrowable(call)).isInstanceOf(UnavailableException.class);
      }
    }
  }

  // ================================================================ idempotent appends

  @Nested
  @DisplayName("Idempotent appends")
  class IdempotentAppends {

    static Stream<Arguments> modes() {
      return Stream.of(
          Arguments.of("durable", durable("hello")),
          Arguments.of("summary", summary("{\"step\":1}")),
          Arguments.of("best_effort", bestEffort("tok", 60_000)));
    }

    private static long frameCount(StreamStore s, Handle h) {
      return s.head(h.executionId(), h.attemptIndex()).orElseThrow().frameCount();
    }

    private static void assertReplayOf(AppendOutcome replay, AppendOutcome first) {
      assertThat(first.replayed()).as("the first append wrote its frame").isFalse();
      assertThat(replay.replayed()).as("the retry is a replay").isTrue();
      assertThat(replay.id()).isEqualTo(first.id());
      assertThat(replay.frameCount()).isEqualTo(first.frameCount());
      assertThat(replay.summaryVersion()).isEqualTo(first.summaryVersion());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    @DisplayName("a retry of a committed append answers the first id and writes nothing, in every mode")
    void retryAfterCommit(String mode, Frame frame) {
      var h = start(store());
      var first = store().append(h, frame.withIdempotencyKey("k-1"));
      var retry = store().append(h, frame.withIdempotencyKey("k-1"));
      assertReplayOf(retry, first);
      assertThat(readAll(store(), h).frames()).hasSize(1);
      assertThat(frameCount(store(), h)).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    @DisplayName("the key survives a restart: a new store on the same database answers the first id")
    void retryAcrossRestart(String mode, Frame frame) {
      var before = newStore(b -> b);
      var h = start(before);
      var first = before.append(h, frame.withIdempotencyKey("restart"));
      before.close();
      var after = newStore(b -> b);
      var retry = after.append(h, frame.withIdempotencyKey("restart"));
      assertReplayOf(retry, first);
      assertThat(readAll(after, h).frames()).hasSize(1);
      var next = after.append(h, frame.withIdempotencyKey("restart-2"));
      assertThat(next.replayed()).isFalse();
      assertThat(next.id()).isGreaterThan(first.id());
    }

    @Test
    @DisplayName("DurableSummary: a retried patch is not merged again (version and document unchanged)")
    void summaryPatchAppliedOnce() {
      var h = start(store());
      var one = store().append(h, summary("{\"a\":1,\"n\":[1]}").withIdempotencyKey("p1"));
      var two = store().append(h, summary("{\"a\":2}").withIdempotencyKey("p2"));
      var retry = store().append(h, summary("{\"a\":1,\"n\":[1]}").withIdempotencyKey("p1"));
      assertReplayOf(retry, one);
      assertThat(retry.summaryVersion()).isEqualTo(1);
      var doc = summaryOf(store(), h);
      assertThat(doc.version()).isEqualTo(two.summaryVersion()).isEqualTo(2);
      // merged again, the retry would have set a back to 1
      assertJson(doc.documentJson(), "{\"a\":2,\"n\":[1]}");
      assertThat(readAll(store(), h).frames()).hasSize(2);
    }

    @Test
    @DisplayName("a key reused for a different append is a conflict naming the key and the first frame; nothing is written")
    void keyReusedForAnotherAppend() {
      var h = start(store());
      var first = store().append(h, durable("original").withIdempotencyKey("dup"));
      for (var other : List.of(
          durable("changed"),
          Frame.of("other-type", "original"),
          durable("original").withCorrelationId("c-9"),
          summary("{\"original\":1}"),
          Frame.of("log", "original").withMode(StreamMode.bestEffortLive(60_000)))) {
        Throwable t = catchThrowable(() -> store().append(h, other.withIdempotencyKey("dup")));
        assertThat(t).as("reusing the key for %s", other).isInstanceOf(ConflictException.class);
        var e = (ConflictException) t;
        assertThat(e.code()).isEqualTo(ConflictException.IDEMPOTENCY_KEY_REUSED);
        assertThat(e.getMessage()).contains("'dup'", first.id().toString(), "different append");
      }
      assertThat(texts(readAll(store(), h))).containsExactly("original");
      assertThat(store().readSummary(h.executionId(), h.attemptIndex())).isEmpty();
    }

    @Test
    @DisplayName("a retry that only changes best-effort knobs is the same append")
    void bestEffortKnobsAreNotCompared() {
      var h = start(store());
      var first = store().append(h, bestEffort("tok", 60_000).withIdempotencyKey("be"));
      var retry = store().append(h, bestEffort("tok", 5_000).withIdempotencyKey("be"));
      assertReplayOf(retry, first);
    }

    @Test
    @DisplayName("two appends with one key in one group-commit batch: one frame, both answer its id")
    void duplicateInsideOneBatch() throws Exception {
      var h = start(store());
      List<java.util.concurrent.CompletableFuture<AppendOutcome>> pair;
      java.util.concurrent.CompletableFuture<AppendOutcome> blocker;
      try (var hold = holdStream(h)) {
        // the blocker's batch waits on the hold; the pair queues behind it and shares the next batch
        blocker = store().appendAsync(h, durable("blocker"));
        hold.awaitBlockedAppends(1);
        pair = List.of(
            store().appendAsync(h, durable("once").withIdempotencyKey("same")),
            store().appendAsync(h, durable("once").withIdempotencyKey("same")));
      }
      blocker.get(30, TimeUnit.SECONDS);
      var a = pair.get(0).get(30, TimeUnit.SECONDS);
      var b = pair.get(1).get(30, TimeUnit.SECONDS);
      assertThat(a.id()).isEqualTo(b.id());
      assertThat(List.of(a.replayed(), b.replayed())).containsExactlyInAnyOrder(false, true);
      assertThat(texts(readAll(store(), h))).containsExactly("blocker", "once");
      assertThat(frameCount(store(), h)).isEqualTo(2);
    }

    @Test
    @DisplayName("one key for two different appends in one batch: the first writes, the second is a conflict")
    void conflictInsideOneBatch() throws Exception {
      var h = start(store());
      java.util.concurrent.CompletableFuture<AppendOutcome> first;
      java.util.concurrent.CompletableFuture<AppendOutcome> second;
      java.util.concurrent.CompletableFuture<AppendOutcome> unnamed;
      try (var hold = holdStream(h)) {
        var blocker = store().appendAsync(h, durable("blocker"));
        hold.awaitBlockedAppends(1);
        first = store().appendAsync(h, durable("a").withIdempotencyKey("k"));
        second = store().appendAsync(h, durable("b").withIdempotencyKey("k"));
        unnamed = store().appendAsync(h, durable("c"));
        assertThat(blocker).isNotDone();
      }
      var written = first.get(30, TimeUnit.SECONDS);
      assertThat(written.replayed()).isFalse();
      assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ConflictException.class)
          .hasMessageContaining(written.id().toString());
      assertThat(unnamed.get(30, TimeUnit.SECONDS).id()).isGreaterThan(written.id());
      assertThat(texts(readAll(store(), h))).containsExactly("blocker", "a", "c");
    }

    @Test
    @DisplayName("two stores racing with one key (queued on the same stream lock): one frame, both answer its id")
    void duplicateAcrossStores() throws Exception {
      var one = newStore(b -> b);
      var two = newStore(b -> b);
      var h = start(one);
      java.util.concurrent.CompletableFuture<AppendOutcome> a;
      java.util.concurrent.CompletableFuture<AppendOutcome> b;
      try (var hold = holdStream(h)) {
        a = one.appendAsync(h, summary("{\"x\":1}").withIdempotencyKey("race"));
        b = two.appendAsync(h, summary("{\"x\":1}").withIdempotencyKey("race"));
        hold.awaitBlockedAppends(2);
      }
      var ra = a.get(30, TimeUnit.SECONDS);
      var rb = b.get(30, TimeUnit.SECONDS);
      assertThat(ra.id()).isEqualTo(rb.id());
      assertThat(ra.summaryVersion()).isEqualTo(rb.summaryVersion()).isEqualTo(1);
      assertThat(List.of(ra.replayed(), rb.replayed())).containsExactlyInAnyOrder(false, true);
      assertThat(readAll(store(), h).frames()).hasSize(1);
      assertThat(summaryOf(store(), h).version()).isEqualTo(1);
    }

    @Test
    @DisplayName("8 threads retrying the same 50 keys at once: 50 frames, every answer for a key names one id")
    void manyRacingRetries() throws Exception {
      var h = start(store());
      var go = new CountDownLatch(1);
      var futures = new ArrayList<Future<List<AppendOutcome>>>();
      for (int w = 0; w < 8; w++) {
        futures.add(async(() -> {
          go.await();
          var mine = new ArrayList<AppendOutcome>();
          for (int i = 0; i < 50; i++) {
            mine.add(store().append(h, durable("f" + i).withIdempotencyKey("key-" + i)));
          }
          return mine;
        }));
      }
      go.countDown();
      var byKey = new HashMap<Integer, Set<EntryId>>();
      int written = 0;
      for (var f : futures) {
        var mine = f.get(120, TimeUnit.SECONDS);
        for (int i = 0; i < mine.size(); i++) {
          byKey.computeIfAbsent(i, k -> new java.util.HashSet<>()).add(mine.get(i).id());
          written += mine.get(i).replayed() ? 0 : 1;
        }
      }
      assertThat(written).isEqualTo(50);
      var frames = readAll(store(), h).frames();
      assertThat(frames).hasSize(50);
      for (var f : frames) {
        int i = Integer.parseInt(text(f).substring(1));
        assertThat(byKey.get(i)).as("ids answered for key-%d", i).containsExactly(f.id());
      }
    }

    @Test
    @DisplayName("keys are per attempt stream: other executions and the next attempt (after reclaim) have their own")
    void keysAreScopedToTheAttempt() {
      var h1 = start(store());
      var h2 = start(store());
      var a = store().append(h1, durable("x").withIdempotencyKey("shared"));
      var b = store().append(h2, durable("x").withIdempotencyKey("shared"));
      assertThat(a.replayed()).isFalse();
      assertThat(b.replayed()).isFalse();
      var next = store().reclaim(h1.executionId(), LEASE);
      var c = store().append(next, durable("x").withIdempotencyKey("shared"));
      assertThat(c.replayed()).isFalse();
      assertThat(c.frameCount()).isEqualTo(1);
      assertThat(readAll(store(), h1).frames()).hasSize(1);
      assertThat(readAll(store(), h2).frames()).hasSize(1);
      assertThat(readAll(store(), next).frames()).hasSize(1);
    }

    @Test
    @DisplayName("a replay is still an append: after close or reclaim the retry fails like any append")
    void fenceComesFirst() {
      var h = start(store());
      store().append(h, durable("x").withIdempotencyKey("k"));
      store().reclaim(h.executionId(), LEASE);
      assertThatThrownBy(() -> store().append(h, durable("x").withIdempotencyKey("k")))
          .isInstanceOf(StaleOwnerException.class);
      var h2 = start(store());
      store().append(h2, durable("x").withIdempotencyKey("k"));
      store().closeAttempt(h2, CloseReason.ATTEMPT_SUCCESS);
      assertThatThrownBy(() -> store().append(h2, durable("x").withIdempotencyKey("k")))
          .isInstanceOf(StreamClosedException.class);
    }

    @Test
    @DisplayName("a rejected append records no key: the key is free for the corrected frame")
    void rejectedAppendRecordsNoKey() {
      var h = start(store());
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, summary("[1]").withIdempotencyKey("fix-me")));
      var fixed = store().append(h, summary("{\"ok\":true}").withIdempotencyKey("fix-me"));
      assertThat(fixed.replayed()).isFalse();
      assertThat(fixed.summaryVersion()).isEqualTo(1);
    }

    @Test
    @DisplayName("keys outside the window (the stream's newest N appends, named or not) are forgotten")
    void windowOfKeys() {
      var s = newStore(b -> b.appendKeyWindow(3));
      var h = start(s);
      var k1 = s.append(h, durable("1").withIdempotencyKey("k1"));
      var k2 = s.append(h, durable("2").withIdempotencyKey("k2"));
      s.append(h, durable("3").withIdempotencyKey("k3"));
      s.append(h, durable("4").withIdempotencyKey("k4"));
      // k2 is among the newest 3 appends (2, 3, 4): remembered
      assertReplayOf(s.append(h, durable("2").withIdempotencyKey("k2")), k2);
      // k1 fell out of the window: its retry appends again
      var again = s.append(h, durable("1").withIdempotencyKey("k1"));
      assertThat(again.replayed()).isFalse();
      assertThat(again.id()).isGreaterThan(k1.id());
      assertThat(again.frameCount()).isEqualTo(5);
      // unnamed appends move the window too
      for (int i = 0; i < 3; i++) {
        s.append(h, durable("plain"));
      }
      s.append(h, durable("5").withIdempotencyKey("k5"));
      assertThat(s.append(h, durable("1").withIdempotencyKey("k1")).replayed()).isFalse();
      assertThat(readAll(s, h).frames()).hasSize(10);
    }

    @Test
    @DisplayName("a key outlives its trimmed frame: the retry answers the first id and does not write")
    void keyOutlivesRetention() {
      var s = newStore(b -> b.durableRetention(2));
      var h = start(s);
      var first = s.append(h, durable("old").withIdempotencyKey("old"));
      for (int i = 0; i < 3; i++) {
        s.append(h, durable("new" + i));
      }
      assertThat(texts(readAll(s, h))).containsExactly("new1", "new2");
      assertReplayOf(s.append(h, durable("old").withIdempotencyKey("old")), first);
      assertThat(texts(readAll(s, h))).containsExactly("new1", "new2");
      assertThat(frameCount(s, h)).isEqualTo(4);
    }

    @Test
    @DisplayName("pipelined named appends and their pipelined retries: every retry a replay of its own append")
    void pipelinedRetries() {
      var h = start(store());
      var firsts = new ArrayList<java.util.concurrent.CompletableFuture<AppendOutcome>>();
      for (int i = 0; i < 200; i++) {
        var f = i % 3 == 0 ? durable("u" + i) : durable("n" + i).withIdempotencyKey("n" + i);
        firsts.add(store().appendAsync(h, f));
      }
      var retries = new ArrayList<java.util.concurrent.CompletableFuture<AppendOutcome>>();
      for (int i = 0; i < 200; i++) {
        if (i % 3 != 0) {
          retries.add(store().appendAsync(h, durable("n" + i).withIdempotencyKey("n" + i)));
        }
      }
      var written = firsts.stream().map(java.util.concurrent.CompletableFuture::join).toList();
      assertThat(written).noneMatch(AppendOutcome::replayed);
      assertStrictlyIncreasing(written.stream().map(AppendOutcome::id).toList());
      int r = 0;
      for (int i = 0; i < 200; i++) {
        if (i % 3 != 0) {
          assertReplayOf(retries.get(r++).join(), written.get(i));
        }
      }
      assertThat(readAll(store(), h).frames()).hasSize(200);
    }

    @Test
    @DisplayName("bad keys are rejected before anything is written: empty, too long, NUL")
    void badKeys() {
      var h = start(store());
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, durable("x").withIdempotencyKey("")), "must not be empty");
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, durable("x").withIdempotencyKey("k".repeat(StreamStore.MAX_IDEMPOTENCY_KEY_LENGTH + 1))),
          "longer than " + StreamStore.MAX_IDEMPOTENCY_KEY_LENGTH);
      assertValidation(ValidationKind.INVALID_INPUT,
          () -> store().append(h, durable("x").withIdempotencyKey("a\u0000b")), "NUL");
      assertThat(readAll(store(), h).frames()).isEmpty();
      var longest = "é".repeat(StreamStore.MAX_IDEMPOTENCY_KEY_LENGTH);
      var first = store().append(h, durable("x").withIdempotencyKey(longest));
      assertReplayOf(store().append(h, durable("x").withIdempotencyKey(longest)), first);
    }
  }
}
