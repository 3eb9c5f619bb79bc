package io.tributary.protocol.ds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.testing.EmbeddedPostgres;
import io.tributary.testing.SilentAppend;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live readers of one stream share its reads: many SSE readers all get every frame in order, idle
 * readers make no store reads at keep-alives or long-poll timeouts, and a frame whose
 * notification was lost still reaches them through the store's re-check.
 */
class LiveFanOutTest {
  private static final Duration KEEP_ALIVE = Duration.ofMillis(200);
  private static final DurableStreamsConfig CONFIG =
      new DurableStreamsConfig(Duration.ofMillis(500), Duration.ofSeconds(30), KEEP_ALIVE, 1 << 20, 1 << 20, 0);
  private static final Pattern MESSAGE = Pattern.compile("\"m(\\d+)\"");
  private static final java.util.concurrent.atomic.AtomicInteger READERS = new java.util.concurrent.atomic.AtomicInteger();

  private static String url;
  private static Database db;
  private static PostgresStreamStore attempts;
  private static DurableStreamsHandler handler;
  private static ExecutorService threads;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("ds_fanout");
    db = Database.open(
        StoreConfig.builder(url).user("postgres").poolSize(4).tailRecheckInterval(Duration.ofMillis(200)).build());
    attempts = new PostgresStreamStore(db);
    handler = new DurableStreamsHandler(new PostgresNamedStreamStore(db), attempts, CONFIG);
    threads = Executors.newVirtualThreadPerTaskExecutor();
  }

  @AfterAll
  static void close() {
    threads.shutdownNow();
    db.close();
  }

  @Test
  void manySseReadersOfOneStreamGetEveryFrameInOrderAfterABurst() throws Exception {
    var path = "/v1/stream/fanout-" + System.nanoTime();
    assertThat(call("PUT", path, "", "Content-Type", "application/json").status()).isEqualTo(201);
    var readers = new ArrayList<Reader>();
    for (int i = 0; i < 40; i++) {
      readers.add(sse(path + "?offset=-1&live=sse"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream().allMatch(r -> r.text().contains("upToDate")));
    long readsBefore = handler.liveStoreReads();
    int burst = 200;
    for (int i = 0; i < burst; i++) {
      assertThat(call("POST", path, "\"m" + i + "\"", "Content-Type", "application/json").status()).isEqualTo(204);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> readers.stream().allMatch(r -> r.text().contains("\"m" + (burst - 1) + "\"")));
    var expected = new ArrayList<Integer>();
    for (int i = 0; i < burst; i++) {
      expected.add(i);
    }
    for (var r : readers) {
      assertThat(r.messages()).isEqualTo(expected);
      assertThat(r.overlapped()).isFalse();
      r.stop();
    }
    // one shared read per change of the stream, not one per reader: 40 readers reading for
    // themselves would make at least 40 reads for every wake-up
    assertThat(handler.liveStoreReads() - readsBefore).isLessThan(3L * burst);
    await().atMost(Duration.ofSeconds(5)).until(() -> handler.liveReaders() == 0);
  }

  @Test
  void idleReadersMakeNoReadsAtKeepAlivesOrLongPollTimeouts() throws Exception {
    var named = "/v1/stream/idle-" + System.nanoTime();
    assertThat(call("PUT", named, "x", "Content-Type", "text/plain").status()).isEqualTo(201);
    var attempt = startAttempt();
    var readers = new ArrayList<Reader>();
    for (int i = 0; i < 20; i++) {
      readers.add(sse((i % 2 == 0 ? named : attempt.path()) + "?offset=now&live=sse"));
    }
    var polls = new ArrayList<java.util.concurrent.Future<Integer>>();
    for (int i = 0; i < 6; i++) {
      String target = i % 2 == 0 ? named : attempt.path();
      polls.add(threads.submit(() -> longPollLoop(target, Duration.ofSeconds(4))));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream().allMatch(r -> r.text().contains("upToDate")));
    Thread.sleep(1_000);
    long before = handler.liveStoreReads();
    int keepAlivesBefore = readers.stream().mapToInt(Reader::keepAlives).sum();
    Thread.sleep(2_000);
    long reads = handler.liveStoreReads() - before;
    // 2 s: 10 keep-alives per SSE reader and 4 timeouts per long-poller; reading per reader
    // would be several hundred reads
    assertThat(readers.stream().mapToInt(Reader::keepAlives).sum() - keepAlivesBefore).isGreaterThan(100);
    assertThat(reads).isLessThan(10);
    for (var p : polls) {
      assertThat(p.get(10, TimeUnit.SECONDS)).isGreaterThan(2);
    }
    for (var r : readers) {
      r.stop();
    }
  }

  @Test
  void idleSseReadersOfAFeedHearAKeepAliveWithinTheInterval() throws Exception {
    var attempt = startAttempt();
    var readers = caughtUp(attempt.path() + "?offset=now&live=sse", 10);
    long from = System.nanoTime();
    Thread.sleep(2_000);
    long to = System.nanoTime();
    for (var r : readers) {
      // the feed paces the keep-alives: none silent much past the interval (slack: a busy
      // machine), and no reader flooded with them either
      assertThat(r.longestSilenceNanos(from, to)).isLessThan(KEEP_ALIVE.plusSeconds(1).toNanos());
      assertThat(r.keepAlives()).isBetween(3, 40);
      r.stop();
    }
    await().atMost(KEEP_ALIVE.plusSeconds(5)).until(() -> handler.liveReaders() == 0);
  }

  @Test
  void readersOfStreamsSharingTheBurstGetOnlyTheirOwnStreamsFramesOnceAndInOrder() throws Exception {
    var paths = List.of("/v1/stream/left-" + System.nanoTime(), "/v1/stream/right-" + System.nanoTime());
    var readers = new ArrayList<List<Reader>>();
    for (var path : paths) {
      assertThat(call("PUT", path, "", "Content-Type", "application/json").status()).isEqualTo(201);
      var own = new ArrayList<Reader>();
      for (int i = 0; i < 15; i++) {
        // some readers echo a cursor far ahead: their control events carry their own cursor
        own.add(sse(path + "?offset=-1&live=sse" + (i % 5 == 0 ? "&cursor=999999999" : "")));
      }
      readers.add(own);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream().flatMap(List::stream).allMatch(r -> r.text().contains("upToDate")));
    int burst = 60;
    var sent = List.of(new ArrayList<Integer>(), new ArrayList<Integer>());
    for (int i = 0; i < burst; i++) {
      int side = i % 3 == 0 ? 1 : 0;
      assertThat(call("POST", paths.get(side), "\"m" + i + "\"", "Content-Type", "application/json").status()).isEqualTo(204);
      sent.get(side).add(i);
    }
    for (int side = 0; side < 2; side++) {
      int last = sent.get(side).getLast();
      var own = readers.get(side);
      await().atMost(Duration.ofSeconds(20)).until(() -> own.stream().allMatch(r -> r.messages().contains(last)));
      for (var r : own) {
        assertThat(r.messages()).isEqualTo(sent.get(side));
        assertThat(r.overlapped()).isFalse();
        var cursors = r.cursors();
        assertThat(cursors).isNotEmpty();
        if (r.echoedAhead) {
          assertThat(cursors).allMatch(c -> c > 999_999_999L);
        } else {
          assertThat(cursors).allMatch(c -> c < 999_999_999L);
        }
      }
    }
    readers.stream().flatMap(List::stream).forEach(Reader::stop);
    await().atMost(KEEP_ALIVE.plusSeconds(5)).until(() -> handler.liveReaders() == 0);
  }

  @Test
  void anAppendIsReadOnceAndWrittenByTheFeedToEveryParkedReaderThatWritesWithoutBlocking() throws Exception {
    // keep-alives far apart: no keep-alive write is under way when the append comes
    var quiet =
        new DurableStreamsHandler(
            new PostgresNamedStreamStore(db),
            attempts,
            new DurableStreamsConfig(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(30), 1 << 20, 1 << 20, 0));
    var name = "pushed-" + System.nanoTime();
    var path = "/v1/stream/" + name;
    assertThat(call("PUT", path, "", "Content-Type", "application/json").status()).isEqualTo(201);
    var readers = new ArrayList<Reader>();
    for (int i = 0; i < 12; i++) {
      readers.add(sse(quiet, path + "?offset=now&live=sse"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream().allMatch(r -> r.text().contains("upToDate")));
    Thread.sleep(500); // each parks at the feed right after its first control event
    var file = java.nio.file.Files.createTempFile("fanout", ".jfr");
    try (var recording = new jdk.jfr.Recording()) {
      recording.enable("io.tributary.FeedRead");
      recording.enable("io.tributary.FeedPush");
      recording.start();
      assertThat(call("POST", path, "\"m1\"", "Content-Type", "application/json").status()).isEqualTo(204);
      await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream().allMatch(r -> r.text().contains("\"m1\"")));
      recording.stop();
      recording.dump(file);
    }
    var events =
        jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().startsWith("io.tributary.Feed") && e.getString("stream").contains(name))
            .toList();
    java.nio.file.Files.delete(file);
    var pages = events.stream().filter(e -> e.getEventType().getName().equals("io.tributary.FeedRead") && e.getBoolean("news")).toList();
    var pushes = events.stream().filter(e -> e.getEventType().getName().equals("io.tributary.FeedPush")).toList();
    long nonBlocking = readers.stream().filter(r -> r.async).count();
    // one read of the stream for all 12 readers; the feed wrote the page itself to each reader
    // whose output can take it without blocking, and woke only the others
    assertThat(pages).hasSize(1);
    assertThat(pushes).hasSize(1);
    assertThat(pushes.getFirst().getInt("written")).isEqualTo((int) nonBlocking);
    assertThat(pushes.getFirst().getInt("woken")).isEqualTo(12 - (int) nonBlocking);
    for (var r : readers) {
      assertThat(r.messages()).containsExactly(1);
      assertThat(r.overlapped()).isFalse();
      // (their sessions end at their next write, a keep-alive 30 s on, or when the class's threads stop)
      r.stop();
    }
  }

  @Test
  void aFrameCommittedWithoutItsNotificationStillReachesSharedReaders() throws Exception {
    var attempt = startAttempt();
    var readers = caughtUp(attempt.path() + "?offset=-1&live=sse", 10);
    SilentAppend.append(url, attempt.handle());
    // the re-check (every 200 ms here) finds the changed row and wakes the feed's wait
    await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream().allMatch(r -> r.text().contains("unheard")));
    for (var r : readers) {
      r.stop();
    }
  }

  // ------------------------------------------------------------------ helpers

  private record Attempt(String path, Handle handle) {}

  private static Attempt startAttempt() {
    var eid = ExecutionId.random(5);
    var handle = attempts.startAttempt(eid, Duration.ofMinutes(2));
    attempts.append(handle, Frame.of("log", "first"));
    return new Attempt("/v1/stream/executions/" + eid + "/attempts/0", handle);
  }

  /** Long-polls from the tail, again and again, for {@code duration}; returns how many answered. */
  private static int longPollLoop(String target, Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    var first = DsFixture.full(call("GET", target + "?offset=now", ""));
    String offset = first.headers().first(DsHeaders.NEXT_OFFSET);
    int answered = 0;
    while (System.nanoTime() < end) {
      var r = DsFixture.full(call("GET", target + "?offset=" + offset + "&live=long-poll", ""));
      assertThat(r.status()).isIn(200, 204);
      offset = r.headers().first(DsHeaders.NEXT_OFFSET);
      answered++;
    }
    return answered;
  }

  private static HttpResponse call(String method, String pathAndQuery, String body, String... headers) {
    int q = pathAndQuery.indexOf('?');
    var path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    var query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    return handler.handle(new HttpRequest(method, path, query, HttpHeaders.of(headers), body.getBytes(UTF_8)));
  }

  @Test
  void aParkedSseReaderStillEndsAtTheSessionsMaximumDuration() throws Exception {
    var shortLived =
        new DurableStreamsHandler(
            new PostgresNamedStreamStore(db),
            attempts,
            new DurableStreamsConfig(Duration.ofMillis(500), Duration.ofSeconds(1), KEEP_ALIVE, 1 << 20, 1 << 20, 0));
    var attempt = startAttempt();
    var readers = new ArrayList<Reader>();
    for (int i = 0; i < 4; i++) {
      readers.add(sse(shortLived, attempt.path() + "?offset=-1&live=sse"));
    }
    long started = System.nanoTime();
    for (var r : readers) {
      // parked at the feed with no timer of its own, it is still woken for its deadline
      r.done.get(1 + 4, TimeUnit.SECONDS);
      assertThat(r.text()).contains("upToDate").endsWith("\n\n");
    }
    assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(5).toNanos());
    await().atMost(Duration.ofSeconds(5)).until(() -> shortLived.liveReaders() == 0);
  }

  /** {@code n} SSE readers of {@code target}, once each has said it is up to date. */
  private static List<Reader> caughtUp(String target, int n) {
    var readers = new ArrayList<Reader>();
    for (int i = 0; i < n; i++) {
      readers.add(sse(target));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> readers.stream().allMatch(r -> r.text().contains("upToDate")));
    return readers;
  }

  /** An SSE response whose body runs on its own thread, collecting what it writes. */
  private static Reader sse(String target) {
    return sse(handler, target);
  }

  private static Reader sse(DurableStreamsHandler handler, String target) {
    var q = target.indexOf('?');
    var response =
        handler.handle(new HttpRequest("GET", target.substring(0, q), target.substring(q + 1), HttpHeaders.of(), new byte[0]));
    assertThat(response).isInstanceOf(HttpResponse.Streaming.class);
    // every other reader's output writes without blocking, so the feed writes to it directly
    var reader = new Reader(target.contains("cursor="), READERS.getAndIncrement() % 2 == 0);
    reader.done =
        threads.submit(() -> {
          ((HttpResponse.Streaming) response).body().writeTo(reader);
          return null;
        });
    return reader;
  }

  /** Collects one SSE response; {@link #stop()} makes its next write fail, as a gone client does. */
  private static final class Reader implements HttpResponse.EventSink {
    private static final Pattern CURSOR = Pattern.compile("\"streamCursor\":\"(\\d+)\"");
    private final StringBuilder text = new StringBuilder();
    private final List<Long> writtenAt = new ArrayList<>();
    final boolean echoedAhead;
    volatile java.util.concurrent.Future<?> done;
    private final boolean async;
    private final java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean overlapped;
    private volatile boolean stopped;
    private int keepAlives;

    Reader(boolean echoedAhead, boolean async) {
      this.echoedAhead = echoedAhead;
      this.async = async;
    }

    @Override
    public boolean canWriteAsync() {
      return async;
    }

    @Override
    public void writeAsync(byte[] chunk, java.util.function.Consumer<Throwable> done) {
      assertThat(async).isTrue();
      // completes on another thread, as a socket that was full for a moment would
      threads.submit(() -> {
        try {
          write(chunk);
          done.accept(null);
        } catch (IOException e) {
          done.accept(e);
        }
      });
    }

    /** True when a write started while another was still under way (never allowed). */
    boolean overlapped() {
      return overlapped;
    }

    @Override
    public void write(byte[] chunk) throws IOException {
      if (!writing.compareAndSet(false, true)) {
        overlapped = true;
      }
      try {
        append(chunk);
      } finally {
        writing.set(false);
      }
    }

    private synchronized void append(byte[] chunk) throws IOException {
      if (stopped) {
        throw new IOException("client gone");
      }
      var s = new String(chunk, UTF_8);
      if (s.startsWith(": keep-alive")) {
        keepAlives++;
      }
      text.append(s);
      writtenAt.add(System.nanoTime());
    }

    /** The longest time between writes (or the window's edges) within {@code [from, to]}. */
    synchronized long longestSilenceNanos(long from, long to) {
      long longest = 0;
      long previous = from;
      for (long t : writtenAt) {
        if (t > from && t <= to) {
          longest = Math.max(longest, t - previous);
          previous = t;
        }
      }
      return Math.max(longest, to - previous);
    }

    List<Long> cursors() {
      return numbers(CURSOR).stream().map(Long::valueOf).toList();
    }

    synchronized String text() {
      return text.toString();
    }

    synchronized int keepAlives() {
      return keepAlives;
    }

    List<Integer> messages() {
      return numbers(MESSAGE).stream().map(Integer::valueOf).toList();
    }

    /** Group 1 of every match of {@code pattern} in what was written, in order. */
    private List<String> numbers(Pattern pattern) {
      var out = new ArrayList<String>();
      var m = pattern.matcher(text());
      while (m.find()) {
        out.add(m.group(1));
      }
      return out;
    }

    void stop() {
      stopped = true;
    }
  }
}
