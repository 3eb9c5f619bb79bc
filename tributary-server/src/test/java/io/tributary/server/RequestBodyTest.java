package io.tributary.server;

import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request bodies arrive byte for byte whatever their size relative to the edge's read buffers
 * (the chunked start size, a Content-Length that fills the array exactly, one byte past it, the
 * body limit itself), with Content-Length and chunked alike; one byte over the limit is a 413 and
 * writes nothing.
 */
class RequestBodyTest {
  private static final int LIMIT = 64 * 1024;
  private static TributaryServer server;

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.newDatabase("server_bodies"), b -> b.maxBodyBytes(LIMIT));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Printable bytes that differ from position to position, so a shifted or dropped byte shows. */
  private static byte[] body(int size) {
    var b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + (i * 7 + i / 26) % 26);
    }
    return b;
  }

  /** The body in pieces of 1000 bytes with no length up front: the JDK client chunks it. */
  private static BodyPublisher chunked(byte[] body) {
    var pieces = new ArrayList<byte[]>();
    for (int i = 0; i < body.length; i += 1000) {
      pieces.add(Arrays.copyOfRange(body, i, Math.min(body.length, i + 1000)));
    }
    return BodyPublishers.ofByteArrays(pieces);
  }

  private static String newStream() throws Exception {
    String path = "/v1/stream/bodies-" + System.nanoTime();
    var created = send(request(server, path).header("Content-Type", "text/plain").PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return path;
  }

  private static String contents(String path) throws Exception {
    return send(request(server, path + "?offset=-1").build()).body();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 100, 8191, 8192, 8193, 16 * 1024 + 1, 40_000, LIMIT})
  void everySizeUpToTheLimitArrivesWhole(int size) throws Exception {
    String path = newStream();
    byte[] one = body(size);
    var sized = send(request(server, path).header("Content-Type", "text/plain").POST(BodyPublishers.ofByteArray(one)).build());
    assertThat(sized.statusCode()).as(sized.body()).isEqualTo(204);
    byte[] two = body(size + 1);
    Arrays.fill(two, 0, Math.min(3, two.length), (byte) 'Z');
    var streamed = send(request(server, path).header("Content-Type", "text/plain").POST(chunked(Arrays.copyOf(two, size))).build());
    assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(204);
    assertThat(contents(path)).isEqualTo(new String(one, java.nio.charset.StandardCharsets.US_ASCII)
        + new String(two, 0, size, java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void aChunkedBodyOneByteOverTheLimitIs413AndWritesNothing() throws Exception {
    String path = newStream();
    var answer = send(request(server, path).header("Content-Type", "text/plain")
        .POST(chunked(body(LIMIT + 1))).build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(413);
    assertThat(contents(path)).isEmpty();
  }

  /** A Content-Length one byte over the limit is refused from the head alone. */
  @Test
  void aContentLengthOneByteOverTheLimitIs413FromTheHeadAndWritesNothing() throws Exception {
    String path = newStream();
    var answer = TestServers.answerToHead(server, "POST", path, "Content-Type: text/plain", "Content-Length: " + (LIMIT + 1));
    assertThat(answer.status()).as(answer.body()).isEqualTo(413);
    assertThat(contents(path)).isEmpty();
  }
}
