package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.header;
import static io.tributary.protocol.ds.DsFixture.newPath;
import static io.tributary.protocol.ds.DsFixture.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LiveReadHandlerTest {
  private final DsFixture ds = DsFixture.get();

  @Test
  void longPollTimesOutWith204AndTheTailAndACursor() {
    var p = newPath("lp-timeout");
    var created = ds.put(p, "text/plain", "x");
    var r = ds.get(p + "?offset=now&live=long-poll");
    assertThat(r.status()).isEqualTo(204);
    assertThat(header(r, "Stream-Next-Offset")).isEqualTo(header(created, "Stream-Next-Offset"));
    assertThat(header(r, "Stream-Up-To-Date")).isEqualTo("true");
    assertThat(header(r, "Stream-Cursor")).matches("\\d+");
  }

  @Test
  void longPollReturnsDataAppendedWhileWaiting() throws Exception {
    var p = newPath("lp-data");
    var created = ds.put(p, "text/plain", "old");
    var longTimeout =
        new DurableStreamsHandler(
            new PostgresNamedStreamStore(ds.db), null, DurableStreamsConfig.withLongPollTimeout(Duration.ofSeconds(10)));
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var waiting =
          exec.submit(
              () ->
                  longTimeout.handle(
                      new HttpRequest(
                          "GET", p, "offset=" + header(created, "Stream-Next-Offset") + "&live=long-poll",
                          null, null)));
      Thread.sleep(150);
      ds.post(p, "text/plain", "new");
      var r = DsFixture.full(waiting.get(5, TimeUnit.SECONDS));
      assertThat(r.status()).isEqualTo(200);
      assertThat(text(r)).isEqualTo("new");
      assertThat(header(r, "Stream-Up-To-Date")).isEqualTo("true");
      assertThat(header(r, "ETag")).startsWith("\"n");
    }
  }

  @Test
  void cursorEchoAtOrPastTheCurrentIntervalGetsALargerOne() {
    var p = newPath("lp-cursor");
    ds.put(p, "text/plain", "x");
    var first = header(ds.get(p + "?offset=-1&live=long-poll"), "Stream-Cursor");
    var second = header(ds.get(p + "?offset=-1&live=long-poll&cursor=" + first), "Stream-Cursor");
    assertThat(Long.parseLong(second)).isGreaterThan(Long.parseLong(first));
  }

  @Test
  void sseSendsCatchUpThenLiveDataEachFollowedByControlAndEndsOnClose() throws Exception {
    var p = newPath("sse");
    ds.put(p, "text/plain", "line1\r\nevent: control\ndata: {\"forged\":true}");
    var response = ds.call("GET", p + "?offset=-1&live=sse", (String) null);
    assertThat(response).isInstanceOf(HttpResponse.Streaming.class);
    assertThat(header(response, "Content-Type")).isEqualTo("text/event-stream");
    assertThat(header(response, "Cache-Control")).contains("no-cache");
    assertThat(header(response, "Stream-SSE-Data-Encoding")).isNull();

    var events = new ConcurrentLinkedQueue<String>();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      var streaming = (HttpResponse.Streaming) response;
      Future<?> session = exec.submit(() -> {
        streaming.body().writeTo(chunk -> events.add(new String(chunk, UTF_8)));
        return null;
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> String.join("", events).contains("upToDate"));
      ds.post(p, "text/plain", " more", "Stream-Closed", "true");
      session.get(5, TimeUnit.SECONDS);
    }
    var all = String.join("", events);
    assertThat(all)
        .startsWith("event: data\ndata:line1\ndata:event: control\ndata:data: {\"forged\":true}\n\n"
            + "event: control\ndata:{\"streamNextOffset\":");
    assertThat(all)
        .as("a line starting with a space gets one extra, which readers drop")
        .contains("event: data\ndata:  more\n\nevent: control\n");
    assertThat(all).endsWith("\"upToDate\":true,\"streamClosed\":true}\n\n");
    assertThat(all.lines().filter(l -> l.equals("event: control")))
        .as("one control after each data event, none forged")
        .hasSize(2);
  }

  @Test
  void sseOnAnEmptyStreamAnnouncesTheTailAndKeepsAlive() throws Exception {
    var p = newPath("sse-empty");
    ds.put(p, "application/octet-stream", null);
    var streaming = (HttpResponse.Streaming) ds.call("GET", p + "?offset=now&live=sse", (String) null);
    assertThat(header(streaming, "Stream-SSE-Data-Encoding")).isEqualTo("base64");
    var events = new ConcurrentLinkedQueue<String>();
    try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      exec.submit(() -> {
        streaming.body().writeTo(chunk -> events.add(new String(chunk, UTF_8)));
        return null;
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> String.join("", events).contains(": keep-alive"));
      ds.post(p, "application/octet-stream", "\u0000\u0001", "Stream-Closed", "true");
      await().atMost(Duration.ofSeconds(5)).until(() -> String.join("", events).contains("streamClosed"));
    }
    var all = String.join("", events);
    assertThat(all).startsWith(
        "event: control\ndata:{\"streamNextOffset\":\"0000000000000000_0000000000000000\",\"streamCursor\":");
    assertThat(all).contains("event: data\ndata:AAE=\n\n");
  }

  @Test
  void liveReadsOfMissingStreamsAre404BeforeAnyStreaming() {
    var p = newPath("sse-missing");
    assertThat(ds.get(p + "?offset=now&live=sse").status()).isEqualTo(404);
    assertThat(ds.get(p + "?offset=now&live=long-poll").status()).isEqualTo(404);
  }
}
