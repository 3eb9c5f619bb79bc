package io.tributary.server;

import static io.tributary.server.TestServers.attemptPath;
import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Raw bytes from a socket, each class of malformed or unusual request in both HTTP versions:
 * well-formed ones are served, malformed ones get a 4xx (or the connection closes without an
 * answer), never a 5xx, and nothing a rejected or cut-short request carried is written.
 */
class MalformedRequestTest {
  private static TributaryServer server;
  private static JsonNode attempt;
  private static final List<String> ACCEPTED = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(TestServers.newDatabase("server_malformed"), b -> b);
    attempt = TestServers.startAttempt(server);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      // exactly the payloads of the requests that were answered 2xx, in order
      var frames = json(send(request(server, appendPath().replace("?frame_type=log", "")).build())).get("frames");
      var payloads = new ArrayList<String>();
      frames.forEach(f -> payloads.add(f.get("fields").get("payload").asString()));
      assertThat(payloads).containsExactlyElementsOf(ACCEPTED);
    } finally {
      server.close();
    }
  }

  private static String appendPath() {
    return attemptPath(attempt.get("execution_id").asString(), 0) + "/stream?frame_type=log";
  }

  private static String appendHead(String version, String extra) {
    return "POST " + appendPath() + " HTTP/" + version + "\r\nHost: x\r\nTributary-Handle: "
        + attempt.get("handle").asString() + "\r\nConnection: close\r\n" + extra + "\r\n";
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "1.1"})
  void wellFormedRequestsOfBothVersionsAreServed(String v) throws Exception {
    assertThat(exchange("GET /health HTTP/" + v + "\r\nHost: x\r\n\r\n").status).isEqualTo(200);
    String body = "canary-" + v;
    var r = exchange(appendHead(v, "Content-Length: " + body.length() + "\r\n") + body);
    assertThat(r.status).as(r.text).isEqualTo(200);
    ACCEPTED.add(body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.1"})
  void chunkExtensionsAreAccepted(String v) throws Exception {
    var r = exchange(appendHead(v, "Transfer-Encoding: chunked\r\n") + "3;ext=\"v\"\r\nabc\r\n0\r\n\r\n");
    assertThat(r.status).as(r.text).isEqualTo(200);
    ACCEPTED.add("abc");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "1.1"})
  void bodiesCutShortAreRejectedAndWriteNothing(String v) throws Exception {
    assertRejected(exchange(appendHead(v, "Content-Length: 10\r\n") + "abc"), 400);
    if (v.equals("1.1")) {
      assertRejected(exchange(appendHead(v, "Transfer-Encoding: chunked\r\n") + "a\r\nabc"), 400);
      assertRejected(exchange(appendHead(v, "Transfer-Encoding: chunked\r\n") + "3\r\nabc\r\n"), 400);
    }
    assertRejected(exchange(appendHead(v, "Content-Length: 5\r\nExpect: 100-continue\r\n")), 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5", "zz", "FFFFFFFFFFFFFFFFFFFF"})
  void brokenChunkSizesAre400(String size) throws Exception {
    assertRejected(exchange(appendHead("1.1", "Transfer-Encoding: chunked\r\n") + size + "\r\nabc\r\n0\r\n\r\n"), 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "1.1"})
  void aNulInTheMethodIs400(String v) throws Exception {
    assertRejected(exchange("G\0T /health HTTP/" + v + "\r\nHost: x\r\n\r\n"), 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.0", "1.1"})
  void oversizedHeadsAre431AndOverlongTargetsAre414(String v) throws Exception {
    var big = exchange("GET /health HTTP/" + v + "\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    assertRejected(big, 431);
    var longTarget = exchange("GET /v1/stream/" + "a".repeat(20_000) + " HTTP/" + v + "\r\nHost: x\r\n\r\n");
    assertRejected(longTarget, 414);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.1"})
  void unknownTransferCodingsAre501(String v) throws Exception {
    var r = exchange(appendHead(v, "Transfer-Encoding: gzip, chunked\r\n") + "3\r\nabc\r\n0\r\n\r\n");
    assertRejected(r, 501);
  }

  /** A 4xx with the JSON envelope naming what went wrong, or a close without any answer. */
  private static void assertRejected(Answer r, int expected) {
    if (r.status == -1) {
      return;
    }
    assertThat(r.status).as(r.text).isEqualTo(expected);
    assertThat(r.text).contains("\"kind\":\"").doesNotContain("\"kind\":\"internal\"");
  }

  private record Answer(int status, String text) {}

  /** Sends the bytes, half-closes, reads whatever comes back until the server closes. */
  private static Answer exchange(String raw) throws IOException {
    try (var s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      s.shutdownOutput();
      var buf = new ByteArrayOutputStream();
      try {
        s.getInputStream().transferTo(buf);
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // an answer may have arrived before the reset or the time-out
      }
      String text = buf.toString(StandardCharsets.ISO_8859_1);
      // an interim "100 Continue" may come before the final answer
      while (text.startsWith("HTTP/1.1 100") && text.contains("\r\n\r\n")) {
        text = text.substring(text.indexOf("\r\n\r\n") + 4);
      }
      if (!text.startsWith("HTTP/1.")) {
        return new Answer(-1, text);
      }
      return new Answer(Integer.parseInt(text.substring(9, 12)), text);
    }
  }
}
