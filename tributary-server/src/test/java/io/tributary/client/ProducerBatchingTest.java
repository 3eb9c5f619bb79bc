package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.TributaryServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SDK producer batches pipelined appends: order kept, nothing lost, fewer requests. */
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
}
