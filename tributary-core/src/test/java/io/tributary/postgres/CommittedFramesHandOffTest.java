package io.tributary.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult.Status;
import io.tributary.api.NamedStreamFrame;
import io.tributary.api.NamedStreamInfo;
import io.tributary.api.NamedStreamRead;
import io.tributary.api.NamedStreamSpec;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A named-stream append hands the frames it committed to this process's parked readers of the
 * stream: a reader waiting exactly where they start answers with them (what a read would have
 * returned), any other reader reads, and another process's appends still wake through the
 * notification. Nothing is lost and the order holds when both processes append at once.
 */
class CommittedFramesHandOffTest {
  private static final String TEXT = "text/plain";
  private static String url;
  private static PostgresNamedStreamStore local;
  private static PostgresNamedStreamStore remote;

  @BeforeAll
  static void open() {
    url = EmbeddedPostgres.createDatabase("named_handoff");
    // a re-check far beyond every wait below: only a wake (local or notified) ends a park
    local = open(url);
    remote = open(url);
  }

  private static PostgresNamedStreamStore open(String url) {
    return new PostgresNamedStreamStore(
        Database.open(
            StoreConfig.builder(url).user("postgres").tailRecheckInterval(Duration.ofMinutes(5)).build()));
  }

  @AfterAll
  static void close() {
    local.close();
    remote.close();
  }

  private static String create(String name) {
    var path = "/v1/stream/" + name;
    local.create(path, NamedStreamSpec.of(TEXT));
    return path;
  }

  private static NamedStreamAppend messages(String... texts) {
    var bytes = new ArrayList<byte[]>();
    for (var t : texts) {
      bytes.add(t.getBytes(UTF_8));
    }
    return new NamedStreamAppend(TEXT, bytes, false, null, null);
  }

  /**
   * Parks a reader of {@code path} at {@code from} on {@code store}, then {@code append}s once it
   * is parked; returns what the reader answered.
   */
  private static NamedStreamRead wokenBy(
      PostgresNamedStreamStore store, String path, long from, int maxBytes, Runnable append)
      throws Exception {
    return ParkedReaders.wokenBy(
        store.database().notifier(), () -> store.await(path, from, maxBytes, Duration.ofSeconds(20)), append);
  }

  private static List<String> texts(List<NamedStreamFrame> frames) {
    return frames.stream().map(f -> new String(f.payload(), UTF_8)).toList();
  }

  private static List<Long> ends(List<NamedStreamFrame> frames) {
    return frames.stream().map(NamedStreamFrame::endPos).toList();
  }

  @Test
  @DisplayName("a parked reader woken by this process's append answers what a read returns")
  void aLocalAppendAnswersAParkedReaderAsAReadWould() throws Exception {
    var p = create("handoff-same");
    assertThat(local.append(p, messages("before")).status()).isEqualTo(Status.APPENDED);
    long tail = local.head(p).info().tailPos();
    var woken = wokenBy(local, p, tail, 1 << 20, () -> local.append(p, messages("a", "bc", "def")));
    var read = local.read(p, tail, 1 << 20);
    assertThat(texts(woken.frames())).containsExactly("a", "bc", "def");
    assertThat(ends(woken.frames())).isEqualTo(ends(read.frames()));
    assertThat(texts(woken.frames())).isEqualTo(texts(read.frames()));
    assertThat(woken.nextPos()).isEqualTo(read.nextPos());
    assertThat(woken.info()).isEqualTo(read.info());
    assertThat(woken.upToDate()).isTrue();
  }

  @Test
  @DisplayName("an append that closes the stream hands over its frames and the close")
  void aClosingAppendHandsOverTheClose() throws Exception {
    var p = create("handoff-close");
    var closing = new NamedStreamAppend(TEXT, List.of("last".getBytes(UTF_8)), true, null, null);
    var woken = wokenBy(local, p, 0, 1 << 20, () -> local.append(p, closing));
    assertThat(texts(woken.frames())).containsExactly("last");
    assertThat(woken.endOfStream()).isTrue();
    assertThat(woken.info()).isEqualTo(local.read(p, 0, 100).info());
  }

  @Test
  @DisplayName("a reader whose byte limit the append exceeds reads, and gets what a read gets")
  void aReaderWithASmallLimitReadsForItself() throws Exception {
    var p = create("handoff-limit");
    var woken = wokenBy(local, p, 0, 4, () -> local.append(p, messages("ab", "cd", "ef")));
    var read = local.read(p, 0, 4);
    assertThat(texts(woken.frames())).isEqualTo(texts(read.frames())).containsExactly("ab", "cd");
    assertThat(woken.nextPos()).isEqualTo(4);
  }

  @Test
  @DisplayName("a reader on another process is still woken by this process's append")
  void aReaderOnAnotherProcessIsWokenByTheNotification() throws Exception {
    var p = create("handoff-remote");
    var woken = wokenBy(remote, p, 0, 1 << 20, () -> local.append(p, messages("over", "there")));
    assertThat(texts(woken.frames())).containsExactly("over", "there");
  }

  @Test
  @DisplayName("readers of both processes get every frame in order while both processes append")
  void nothingIsLostWhileTwoProcessesAppend() throws Exception {
    var p = create("handoff-interleaved");
    int perWriter = 150;
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var readers = new ArrayList<java.util.concurrent.Future<List<NamedStreamFrame>>>();
      for (var store : List.of(local, remote)) {
        readers.add(exec.submit(() -> {
          var got = new ArrayList<NamedStreamFrame>();
          long pos = 0;
          while (got.size() < 2 * perWriter) {
            var r = store.await(p, pos, 1 << 20, Duration.ofSeconds(20));
            assertThat(r.status()).isEqualTo(NamedStreamRead.Status.OK);
            assertThat(r.frames()).as("a wake was missed: the 20 s wait ran out").isNotEmpty();
            got.addAll(r.frames());
            pos = r.nextPos();
          }
          return got;
        }));
      }
      var writers = new ArrayList<java.util.concurrent.Future<?>>();
      for (var store : List.of(local, remote)) {
        String who = store == local ? "L" : "R";
        writers.add(exec.submit(() -> {
          for (int i = 0; i < perWriter; i++) {
            assertThat(store.append(p, messages(who + i)).status()).isEqualTo(Status.APPENDED);
          }
          return null;
        }));
      }
      for (var w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }
      var all = local.read(p, 0, 1 << 20).frames();
      assertThat(all).hasSize(2 * perWriter);
      for (var r : readers) {
        var got = r.get(60, TimeUnit.SECONDS);
        assertThat(ends(got)).isEqualTo(ends(all));
        assertThat(texts(got)).isEqualTo(texts(all));
      }
    }
  }

  @Test
  @DisplayName("handed frames answer only a reader of their stream at their start, within its limits")
  void committedFramesAnswerOnlyTheReadTheyAre() {
    var frames = CommittedFrames.of(7, 10, false, List.of("abc".getBytes(UTF_8), "de".getBytes(UTF_8)));
    assertThat(frames.fromPos()).isEqualTo(5);
    assertThat(ends(frames.frames())).containsExactly(8L, 10L);
    var seen = new NamedStreamInfo(7, TEXT, false, 5, false, null, null);
    var read = frames.readFor(seen, 5, 100, 100);
    assertThat(read.nextPos()).isEqualTo(10);
    assertThat(read.info().tailPos()).isEqualTo(10);
    assertThat(frames.readFor(seen, 4, 100, 100)).as("another position").isNull();
    assertThat(frames.readFor(new NamedStreamInfo(8, TEXT, false, 5, false, null, null), 5, 100, 100))
        .as("another stream").isNull();
    assertThat(frames.readFor(seen, 5, 4, 100)).as("over the byte limit").isNull();
    assertThat(frames.readFor(seen, 5, 100, 1)).as("over the frame limit").isNull();
    var next = CommittedFrames.of(7, 11, true, List.of("f".getBytes(UTF_8)));
    var both = frames.then(next);
    assertThat(ends(both.frames())).containsExactly(8L, 10L, 11L);
    assertThat(both.closed()).isTrue();
    assertThat(next.then(frames)).as("not contiguous").isNull();
  }
}
