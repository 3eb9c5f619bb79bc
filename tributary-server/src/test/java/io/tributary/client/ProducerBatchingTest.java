package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.TributaryServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK producer batches pipelined appends: order kept with several requests in flight, nothing
 * lost or stored twice through lost answers and a server restart, lingering batches sent on
 * flush and close, errors on the futures of the appends they concern.
 */
class ProducerBatchingTest {
  private static TributaryServer server;
  private static TributaryClient client;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.newDatabase(), b -> b);
    client = Servers.client(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void pipelinedByteAppendsShareRequestsAndKeepTheirOrder() {
    var stream = client.namedStream("batched/bytes/" + System.nanoTime());
    stream.create("text/plain", null);
    var producer = stream.producer("w", 0);
    var futures = new ArrayList<CompletableFuture<Long>>();
    var expected = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      futures.add(producer.appendAsync(("<" + i + ">").getBytes(StandardCharsets.UTF_8)));
      expected.append('<').append(i).append('>');
    }
    var seqs = futures.stream().map(CompletableFuture::join).toList();
    assertThat(stream.read(NamedStream.START).text()).isEqualTo(expected.toString());
    assertThat(seqs).isSorted();
    // 500 appends queued at once while the first request is in flight: they cannot all go alone
    assertThat(seqs.getLast()).isLessThan(499L);
    // and the producer goes on numbering from there
    assertThat(producer.append("end")).isEqualTo(seqs.getLast() + 1);
  }

  @Test
  void pipelinedJsonAppendsBecomeOneArrayOfTheirMessages() {
    var stream = client.namedStream("batched/json/" + System.nanoTime());
    stream.create("application/json", null);
    var producer = stream.producer("w", 0);
    var futures = new ArrayList<CompletableFuture<Long>>();
    for (int i = 0; i < 100; i++) {
      String value = switch (i % 4) {
        case 0 -> Integer.toString(i);
        case 1 -> "[" + i + ", {\"n\":" + i + "}]"; // an array appends its elements
        case 2 -> "{\"n\":" + i + "}";
        default -> " \"s" + i + "\" ";
      };
      futures.add(producer.appendAsync(value.getBytes(StandardCharsets.UTF_8)));
    }
    futures.forEach(CompletableFuture::join);
    stream.closeStream();
    var messages = new ArrayList<String>();
    try (var follow = stream.follow(NamedStream.START, LiveMode.LONG_POLL)) {
      while (follow.hasNext()) {
        follow.next().messages().forEach(m -> messages.add(m.toString()));
      }
    }
    var expected = new ArrayList<String>();
    for (int i = 0; i < 100; i++) {
      switch (i % 4) {
        case 0 -> expected.add(Integer.toString(i));
        case 1 -> {
          expected.add(Integer.toString(i));
          expected.add("{\"n\":" + i + "}");
        }
        case 2 -> expected.add("{\"n\":" + i + "}");
        default -> expected.add("\"s" + i + "\"");
      }
    }
    assertThat(messages).containsExactlyElementsOf(expected);
  }

  /** Small batches, five requests in flight: many requests race to the server. */
  private static Producer racing(NamedStream stream) {
    return stream.producerBuilder("racer", 0).linger(Duration.ZERO).maxBatchBytes(40).maxInFlight(5).build();
  }

  /** Appends {@code <from>..<to-1>} without waiting; the text they should leave is added to {@code expected}. */
  private static List<CompletableFuture<Long>> appendRange(Producer producer, int from, int to, StringBuilder expected) {
    var futures = new ArrayList<CompletableFuture<Long>>();
    for (int i = from; i < to; i++) {
      futures.add(producer.appendAsync(("<" + i + ">").getBytes(StandardCharsets.UTF_8)));
      expected.append('<').append(i).append('>');
    }
    return futures;
  }

  @Test
  void severalRequestsInFlightStoreTheAppendsInOrder() {
    var stream = client.namedStream("batched/racing/" + System.nanoTime());
    stream.create("text/plain", null);
    var producer = racing(stream);
    var expected = new StringBuilder();
    var seqs = appendRange(producer, 0, 2000, expected).stream().map(CompletableFuture::join).toList();
    assertThat(stream.read(NamedStream.START).text()).isEqualTo(expected.toString());
    assertThat(seqs).isSorted();
    // batches of at most 40 bytes: hundreds of requests, numbered without a hole
    assertThat(seqs.getLast()).isGreaterThan(100L);
    assertThat(seqs.stream().distinct().count()).isEqualTo(seqs.getLast() + 1);
  }

  @Test
  void aBatchWhoseAnswerWasLostIsStoredOnce() throws Exception {
    try (var proxy = new FlakyProxy(server.port()); var viaProxy = Servers.client(proxy.url())) {
      var stream = viaProxy.namedStream("batched/lost/" + System.nanoTime());
      stream.create("text/plain", null);
      var producer = racing(stream);
      var expected = new StringBuilder();
      for (int round = 0; round < 5; round++) {
        var futures = appendRange(producer, round * 200, round * 200 + 100, expected);
        // the server commits a request, its answer is dropped and the connection cut: resent
        proxy.loseNextAnswer();
        futures.addAll(appendRange(producer, round * 200 + 100, round * 200 + 200, expected));
        futures.forEach(CompletableFuture::join);
      }
      assertThat(stream.read(NamedStream.START).text()).isEqualTo(expected.toString());
    }
  }

  @Test
  void appendsInFlightThroughAServerRestartAreStoredOnceInOrder() throws Exception {
    String db = Servers.newDatabase();
    var first = Servers.start(db);
    try (var viaPort = Servers.client(first.baseUrl())) {
      var stream = viaPort.namedStream("batched/restart/" + System.nanoTime());
      stream.create("text/plain", null);
      var producer = racing(stream);
      var expected = new StringBuilder();
      var futures = appendRange(producer, 0, 1500, expected);
      // stopped and started again while those requests are in flight; their retries meet the new one
      try (var second = Servers.restart(first, db)) {
        futures.addAll(appendRange(producer, 1500, 2000, expected));
        for (var f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertThat(stream.read(NamedStream.START).text()).isEqualTo(expected.toString());
      }
    } finally {
      first.close();
    }
  }

  @Test
  void aLingeringBatchIsSentByFlushAndByClose() {
    var stream = client.namedStream("batched/linger/" + System.nanoTime());
    stream.create("text/plain", null);
    var producer = stream.producerBuilder("w", 0).linger(Duration.ofHours(1)).build();
    var first = List.of(producer.appendAsync("a".getBytes()), producer.appendAsync("b".getBytes()));
    assertThat(first).noneMatch(CompletableFuture::isDone);
    assertThat(stream.read(NamedStream.START).text()).isEmpty();
    producer.flush();
    assertThat(first).allMatch(f -> f.isDone() && f.join() == 0L);
    var second = producer.appendAsync("c".getBytes());
    producer.close();
    assertThat(second.join()).isEqualTo(1L);
    assertThat(stream.read(NamedStream.START).text()).isEqualTo("abc");
    assertThatThrownBy(() -> producer.appendAsync("d".getBytes())).isInstanceOf(IllegalStateException.class);
    producer.close();
  }

  @Test
  void aBatchIsSentWhenItsLingerTimeHasPassed() throws Exception {
    var stream = client.namedStream("batched/lingered/" + System.nanoTime());
    stream.create("text/plain", null);
    var producer = stream.producerBuilder("w", 0).linger(Duration.ofMillis(20)).build();
    var a = producer.appendAsync("a".getBytes());
    var b = producer.appendAsync("b".getBytes());
    assertThat(a.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(b.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(stream.read(NamedStream.START).text()).isEqualTo("ab");
  }

  @Test
  void aRefusedBatchFailsItsOwnAppendsAndTheOnesQueuedBehindIt() {
    var stream = client.namedStream("batched/refused/" + System.nanoTime());
    stream.create("application/json", null);
    var producer =
        stream.producerBuilder("w", 0).linger(Duration.ZERO).maxBatchBytes(1).maxInFlight(5).build();
    var values = new ArrayList<String>();
    for (int i = 0; i < 40; i++) {
      // early, while the first five requests go out together: the ones behind it are in flight
      values.add(i == 2 ? "{not json" : Integer.toString(i));
    }
    var futures = values.stream().map(v -> producer.appendAsync(v.getBytes())).toList();
    var stored = new ArrayList<String>();
    for (int i = 0; i < values.size(); i++) {
      var f = futures.get(i);
      if (i == 2) {
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(BadRequestException.class);
        continue;
      }
      try {
        f.join();
        stored.add(values.get(i));
      } catch (CompletionException e) {
        // only an append sent after the refused one, before its refusal was known, fails for it
        assertThat(i).isGreaterThan(2);
        var failure = (TributaryClientException) e.getCause();
        assertThat(failure.kind()).isEqualTo(Producer.EARLIER_APPEND_FAILED);
        assertThat(failure.getCause()).isInstanceOf(BadRequestException.class);
      }
    }
    assertThat(stored).startsWith("0", "1");
    // the producer goes on where the refused request left off
    producer.append("99");
    stored.add("99");
    stream.closeStream();
    var messages = new ArrayList<String>();
    try (var follow = stream.follow(NamedStream.START, LiveMode.LONG_POLL)) {
      while (follow.hasNext()) {
        follow.next().messages().forEach(m -> messages.add(m.toString()));
      }
    }
    assertThat(messages).containsExactlyElementsOf(stored);
  }

  @Test
  void aBatchOverTheServersBodyLimitFailsWithTheServersAnswer() {
    // the server answers 413 from the declared length, before it reads the body, and closes:
    // the producer must report that answer, not a lost connection
    try (var small = Servers.start(Servers.newDatabase(), b -> b.maxBodyBytes(64 * 1024));
        var via = Servers.client(small.baseUrl())) {
      var stream = textStream(via, "batched/too-large/");
      var producer = stream.producerBuilder("w", 0).linger(Duration.ofMillis(50)).build();
      var big = new byte[8 * 1024 * 1024];
      java.util.Arrays.fill(big, (byte) 'x');
      var refused = producer.appendAsync(big);
      assertThatThrownBy(refused::join).isInstanceOf(CompletionException.class)
          .cause().isInstanceOf(BadRequestException.class)
          .hasMessageContaining("413");
      // nothing of it was stored, and the producer goes on
      producer.append("after".getBytes());
      assertThat(new String(stream.read(NamedStream.START).data())).isEqualTo("after");
    }
  }

  /** A client through {@code proxy} that gives a request up after two quick tries. */
  private static TributaryClient impatient(FlakyProxy proxy) {
    return TributaryClient.builder(proxy.url())
        .retry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10)))
        .giveUpAfter(Duration.ofSeconds(30))
        .build();
  }

  private static NamedStream textStream(TributaryClient via, String prefix) {
    var stream = via.namedStream(prefix + System.nanoTime());
    stream.create("text/plain", null);
    return stream;
  }

  @Test
  void aRequestLostThroughAllItsRetriesFailsAndTheProducerGoesOn() throws Exception {
    try (var proxy = new FlakyProxy(server.port()); var viaProxy = impatient(proxy)) {
      var stream = textStream(viaProxy, "batched/never-stored/");
      var producer = stream.producer("w", 0);
      assertThat(producer.append("a;")).isZero();
      // the server never sees the request: every try is cut before it arrives
      proxy.dropRequests(true);
      assertThatThrownBy(() -> producer.append("b;")).isInstanceOf(UnavailableException.class);
      var pipelined = List.of(producer.appendAsync("c;".getBytes(StandardCharsets.UTF_8)));
      assertThatThrownBy(pipelined.get(0)::join).hasCauseInstanceOf(UnavailableException.class);
      proxy.dropRequests(false);
      // not stuck on SEQUENCE_GAP: it takes the number the server expects, and keeps going
      producer.append("d;");
      var futures = new ArrayList<CompletableFuture<Long>>();
      for (int i = 0; i < 50; i++) {
        futures.add(producer.appendAsync(("<" + i + ">").getBytes(StandardCharsets.UTF_8)));
      }
      futures.forEach(CompletableFuture::join);
      var expected = new StringBuilder("a;d;");
      for (int i = 0; i < 50; i++) {
        expected.append('<').append(i).append('>');
      }
      assertThat(stream.read(NamedStream.START).text()).isEqualTo(expected.toString());
    }
  }

  @Test
  void aRequestStoredButWhoseEveryAnswerWasLostIsNotStoredAgain() throws Exception {
    try (var proxy = new FlakyProxy(server.port()); var viaProxy = impatient(proxy)) {
      var stream = textStream(viaProxy, "batched/answers-lost/");
      var producer = stream.producer("w", 0);
      producer.append("a;");
      // the server stores it (and answers the retry as a duplicate); no answer gets back
      proxy.loseAnswers(true);
      assertThatThrownBy(() -> producer.append("b;")).isInstanceOf(UnavailableException.class);
      proxy.loseAnswers(false);
      producer.append("c;");
      producer.append("d;");
      assertThat(stream.read(NamedStream.START).text()).isEqualTo("a;b;c;d;");
    }
  }
}
