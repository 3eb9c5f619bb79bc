package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.TributaryServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Named Durable Streams streams through the SDK against a real server. */
class NamedStreamTest {
  private static TributaryServer server;
  private static TributaryClient client;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.newDatabase(), b -> b.sseMaxDuration(Duration.ofMillis(400)));
    client = Servers.client(server.baseUrl());
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @ParameterizedTest
  @EnumSource(LiveMode.class)
  void aPipelinedProducerIsFollowedUntilTheClose(LiveMode mode) throws Exception {
    var stream = client.namedStream("jobs/" + mode + "/" + System.nanoTime());
    assertThat(stream.create("application/json", null)).isTrue();
    assertThat(stream.create("application/json", null)).as("identical: no-op").isFalse();
    var follow = stream.follow(NamedStream.START, mode);
    var seen =
        CompletableFuture.supplyAsync(() -> {
          var messages = new ArrayList<JsonNode>();
          follow.forEachRemaining(chunk -> messages.addAll(chunk.messages()));
          return messages;
        });
    var producer = stream.producer("writer-1", 0);
    var futures = new ArrayList<CompletableFuture<Long>>();
    for (int i = 0; i < 100; i++) {
      futures.add(producer.appendAsync(("{\"n\":" + i + "}").getBytes()));
      if (i % 25 == 0) {
        Thread.sleep(300); // let SSE responses end in between
      }
    }
    futures.forEach(CompletableFuture::join);
    stream.closeStream();
    var messages = seen.get(30, TimeUnit.SECONDS);
    assertThat(messages).extracting(m -> m.get("n").asInt()).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
    assertThat(follow.streamClosed()).isTrue();
    assertThat(stream.head().closed()).isTrue();
    assertThatThrownBy(() -> stream.append("{\"n\":100}")).isInstanceOf(StreamClosedException.class);
  }

  @Test
  void aRetriedProducerAppendIsStoredOnceAndAnOldEpochIsFenced() {
    var stream = client.namedStream("retry/" + System.nanoTime());
    stream.create("text/plain", Duration.ofHours(1));
    assertThat(stream.producer("p", 3).append("a")).isZero();
    // a writer that lost the answer and sends seq 0 of epoch 3 again: a duplicate, not stored
    assertThat(stream.producer("p", 3).append("a")).isZero();
    assertThat(stream.read(NamedStream.START).text()).isEqualTo("a");
    stream.producer("p", 4).append("b");
    assertThatThrownBy(() -> stream.producer("p", 3).append("stale"))
        .isInstanceOf(ConflictException.class)
        .satisfies(e -> assertThat(((ConflictException) e).kind()).isEqualTo("STALE_EPOCH"));
    assertThat(stream.read(NamedStream.START).text()).isEqualTo("ab");
  }

  @Test
  void readHeadForkAndDelete() {
    var stream = client.namedStream("docs/" + System.nanoTime());
    stream.create("text/plain", null);
    String afterHello = stream.append("hello ");
    stream.append("world");
    var info = stream.head();
    assertThat(info.contentType()).startsWith("text/plain");
    assertThat(info.closed()).isFalse();
    var all = stream.read(NamedStream.START);
    assertThat(all.text()).isEqualTo("hello world");
    assertThat(all.nextOffset()).isEqualTo(info.nextOffset());
    assertThat(stream.read(afterHello).text()).isEqualTo("world");

    var fork = stream.fork("docs/fork-" + System.nanoTime(), afterHello);
    fork.append("there");
    assertThat(fork.read(NamedStream.START).text()).isEqualTo("hello there");
    assertThat(stream.read(NamedStream.START).text()).isEqualTo("hello world");

    fork.delete();
    assertThatThrownBy(fork::head).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.namedStream("no/such/stream").follow(NamedStream.START, LiveMode.SSE))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void aBinaryStreamIsFollowedByteForByteOverSse() throws Exception {
    var stream = client.namedStream("bin/" + System.nanoTime());
    stream.create("application/octet-stream", null);
    byte[] data = new byte[256];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    stream.append(data);
    stream.closeStream();
    try (var follow = stream.follow(NamedStream.START, LiveMode.SSE)) {
      var out = new java.io.ByteArrayOutputStream();
      follow.forEachRemaining(c -> out.writeBytes(c.data()));
      assertThat(out.toByteArray()).isEqualTo(data);
    }
  }
}
