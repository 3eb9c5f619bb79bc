package io.tributary.server;

import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A producer request that arrives before its predecessor waits for it (up to {@code
 * --producer-gap-wait}) instead of getting {@code 409 SEQUENCE_GAP} at once.
 */
class ProducerSequenceHoldTest {
  private static final Duration GAP_WAIT = Duration.ofSeconds(2);
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.newDatabase("server_gap_hold"), b -> b.producerGapWait(GAP_WAIT));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String newStream() throws Exception {
    String path = "/v1/stream/gap-hold/" + System.nanoTime();
    var created =
        send(request(server, path).header("Content-Type", "text/plain").PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).isEqualTo(201);
    return path;
  }

  private static CompletableFuture<HttpResponse<String>> produce(String path, long seq, String text) {
    return produce(path, 0, seq, text);
  }

  private static CompletableFuture<HttpResponse<String>> produce(String path, long epoch, long seq, String text) {
    var req =
        request(server, path)
            .header("Content-Type", "text/plain")
            .header("Producer-Id", "p")
            .header("Producer-Epoch", Long.toString(epoch))
            .header("Producer-Seq", Long.toString(seq))
            .POST(BodyPublishers.ofString(text))
            .build();
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return send(req);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private record Ahead(String path, CompletableFuture<HttpResponse<String>> answer) {}

  /** A new stream with seq 0 stored and seq 2 sent: it is at the server, waiting, before seq 1 is sent. */
  private static Ahead aheadOfItsPredecessor() throws Exception {
    String path = newStream();
    assertThat(produce(path, 0, "a;").join().statusCode()).isEqualTo(200);
    var answer = produce(path, 2, "c;");
    Thread.sleep(200);
    return new Ahead(path, answer);
  }

  @Test
  void aRequestAheadOfItsPredecessorWaitsForItAndBothAreStoredInOrder() throws Exception {
    var ahead = aheadOfItsPredecessor();
    String path = ahead.path();
    var second = ahead.answer();
    assertThat(second).isNotDone();
    var first = produce(path, 1, "b;");
    assertThat(first.join().statusCode()).isEqualTo(200);
    assertThat(second.join().statusCode()).isEqualTo(200);
    assertThat(second.join().headers().firstValue("Producer-Seq")).hasValue("2");
    assertThat(send(request(server, path + "?offset=-1").GET().build()).body()).isEqualTo("a;b;c;");
  }

  @Test
  void aGapThatNeverFillsIsRefusedAfterTheBound() throws Exception {
    String path = newStream();
    assertThat(produce(path, 0, "a;").join().statusCode()).isEqualTo(200);
    long start = System.nanoTime();
    var refused = produce(path, 5, "f;").join();
    var waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body()).contains("SEQUENCE_GAP");
    assertThat(refused.headers().firstValue("Producer-Expected-Seq")).hasValue("1");
    assertThat(waited).isLessThan(GAP_WAIT.plusSeconds(5));
    // nothing of it was stored, and the producer goes on from where the server expects it
    assertThat(produce(path, 1, "b;").join().statusCode()).isEqualTo(200);
    assertThat(send(request(server, path + "?offset=-1").GET().build()).body()).isEqualTo("a;b;");
  }

  @Test
  void aPredecessorsRefusalWakesTheRequestWaitingForIt() throws Exception {
    var ahead = aheadOfItsPredecessor();
    String path = ahead.path();
    var waiting = ahead.answer();
    // a newer epoch takes over: the waiting request of the old one is answered without its bound
    long start = System.nanoTime();
    assertThat(produce(path, 1, 0, "x;").join().statusCode()).isEqualTo(200);
    var answer = waiting.join();
    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(GAP_WAIT.plusSeconds(5));
  }
}
