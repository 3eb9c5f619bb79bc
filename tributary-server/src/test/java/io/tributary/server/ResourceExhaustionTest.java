package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server under a small open-files limit: live readers beyond the cap get 503 with Retry-After
 * instead of using up descriptors, a flood of connections that exhausts them does not kill the
 * listener (accept failures back off and resume), and everything works again once they leave.
 */
class ResourceExhaustionTest {
  /** Soft and hard limit for the server: the auto cap is then the 64-reader floor. */
  private static final int FD_LIMIT = 900;
  private static final int CAP = FileDescriptors.FALLBACK_CAP;

  @Test
  void readersBeyondTheCapGet503AndAnExhaustedListenerRecovers() throws Exception {
    String db = TestServers.newDatabase("server_exhaustion");
    var server = ServeProcess.launchUnder("exhaustion", List.of("prlimit", "--nofile=" + FD_LIMIT + ":" + FD_LIMIT, "--"),
        List.of("--db", db, "--pool-size", "4"), java.util.Map.of());
    try {
      var base = URI.create(server.awaitUrl());
      String path = ssePath(base);

      var readers = new ArrayList<RawReader>();
      try {
        for (int i = 0; i < CAP; i++) {
          var r = RawReader.open(base, path);
          assertThat(r.status).as("reader %d", i).isEqualTo(200);
          readers.add(r);
        }
        var refused = RawReader.open(base, path);
        assertThat(refused.status).isEqualTo(503);
        assertThat(refused.head).containsIgnoringCase("Retry-After:");
        refused.close();

        // more connections than the process has descriptors: accept() fails for a while
        var flood = new ArrayList<Socket>();
        try {
          int failedInARow = 0;
          for (int i = 0; i < FD_LIMIT + 200 && failedInARow < 3; i++) {
            var s = new Socket();
            try {
              s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 300);
              flood.add(s);
              failedInARow = 0;
            } catch (IOException e) {
              // the backlog is full: the server is no longer accepting
              s.close();
              failedInARow++;
            }
          }
          await().atMost(Duration.ofSeconds(10)).until(() -> server.stderr().contains("Too many open files"));
          assertThat(server.isAlive()).isTrue();
        } finally {
          for (var s : flood) {
            s.close();
          }
        }
      } finally {
        for (var r : readers) {
          r.close();
        }
      }
      // the listener resumes: health, a new live reader and an append all work again
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        var health = RawReader.open(base, "/health");
        health.close();
        assertThat(health.status).isEqualTo(200);
      });
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        var again = RawReader.open(base, path);
        again.close();
        assertThat(again.status).isEqualTo(200);
      });
      assertThat(server.isAlive()).isTrue();
      assertThat(server.stderr()).doesNotContain(" ERROR ");
    } finally {
      server.stop();
    }
  }

  /** A fresh named stream's SSE path: one stream is enough, the cap counts readers. */
  private static String ssePath(URI base) throws Exception {
    String name = "/v1/stream/exhaust-" + System.nanoTime();
    try (var s = new Socket(base.getHost(), base.getPort())) {
      s.getOutputStream().write(("PUT " + name + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String head = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(head).startsWith("HTTP/1.1 201");
    }
    return name + "?offset=-1&live=sse";
  }

  /** A GET over a raw socket that keeps the connection open after reading the status line. */
  private static final class RawReader implements AutoCloseable {
    final Socket socket;
    final int status;
    final String head;

    private RawReader(Socket socket, int status, String head) {
      this.socket = socket;
      this.status = status;
      this.head = head;
    }

    static RawReader open(URI base, String pathAndQuery) throws IOException {
      var s = new Socket();
      s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 2_000);
      s.setSoTimeout(5_000);
      s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String head = readHead(s.getInputStream());
      int status = Integer.parseInt(head.substring(9, 12));
      return new RawReader(s, status, head);
    }

    private static String readHead(InputStream in) throws IOException {
      var sb = new StringBuilder();
      while (!sb.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed after: " + sb);
        }
        sb.append((char) b);
      }
      return sb.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

}
