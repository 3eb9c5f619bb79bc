package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.header;
import static io.tributary.protocol.ds.DsFixture.newPath;
import static io.tributary.protocol.ds.DsFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.HttpResponse;
import org.junit.jupiter.api.Test;

class ProducerAndClosureHandlerTest {
  private final DsFixture ds = DsFixture.get();

  private HttpResponse.Full produce(String p, String body, String id, String epoch, String seq, String... more) {
    var headers = new String[6 + more.length];
    headers[0] = "Producer-Id";
    headers[1] = id;
    headers[2] = "Producer-Epoch";
    headers[3] = epoch;
    headers[4] = "Producer-Seq";
    headers[5] = seq;
    System.arraycopy(more, 0, headers, 6, more.length);
    return ds.post(p, body.isEmpty() ? null : "text/plain", body, headers);
  }

  @Test
  void producerAppendsAre200DuplicatesAre204WithTheHighestSeq() {
    var p = newPath("producer");
    ds.put(p, "text/plain", null);
    for (int i = 0; i < 3; i++) {
      var r = produce(p, "m" + i, "P", "0", Integer.toString(i));
      assertThat(r.status()).isEqualTo(200);
      assertThat(header(r, "Producer-Seq")).isEqualTo(Integer.toString(i));
      assertThat(header(r, "Producer-Epoch")).isEqualTo("0");
    }
    var dup = produce(p, "m1", "P", "0", "1");
    assertThat(dup.status()).isEqualTo(204);
    assertThat(header(dup, "Producer-Seq")).isEqualTo("2");
    assertThat(text(ds.get(p))).isEqualTo("m0m1m2");
  }

  @Test
  void producerFencingAndGaps() {
    var p = newPath("fencing");
    ds.put(p, "text/plain", null);
    produce(p, "a", "P", "1", "0");
    var stale = produce(p, "zombie", "P", "0", "1");
    assertThat(stale.status()).isEqualTo(403);
    assertThat(header(stale, "Producer-Epoch")).isEqualTo("1");
    var gap = produce(p, "skip", "P", "1", "5");
    assertThat(gap.status()).isEqualTo(409);
    assertThat(header(gap, "Producer-Expected-Seq")).isEqualTo("1");
    assertThat(header(gap, "Producer-Received-Seq")).isEqualTo("5");
    assertThat(produce(p, "bump", "P", "2", "3").status()).isEqualTo(400);
  }

  @Test
  void producerHeadersAreAllOrNothingAndCanonical() {
    var p = newPath("producer-headers");
    ds.put(p, "text/plain", null);
    assertThat(ds.post(p, "text/plain", "x", "Producer-Id", "P").status()).isEqualTo(400);
    assertThat(ds.post(p, "text/plain", "x", "Producer-Epoch", "0", "Producer-Seq", "0").status()).isEqualTo(400);
    assertThat(produce(p, "x", "", "0", "0").status()).isEqualTo(400);
    for (var bad : new String[] {"1abc", "-1", "1e3", "01", "9007199254740992"}) {
      assertThat(produce(p, "x", "P", bad, "0").status()).as(bad).isEqualTo(400);
      assertThat(produce(p, "x", "P", "0", bad).status()).as(bad).isEqualTo(400);
    }
    assertThat(text(ds.get(p))).as("nothing was written").isEmpty();
  }

  @Test
  void streamSeqIsCheckedAfterProducerDedup() {
    var p = newPath("stream-seq");
    ds.put(p, "text/plain", null);
    assertThat(ds.post(p, "text/plain", "a", "Stream-Seq", "2").status()).isEqualTo(204);
    assertThat(ds.post(p, "text/plain", "b", "Stream-Seq", "10").status()).isEqualTo(409);
    var first = produce(p, "c", "P", "0", "0", "Stream-Seq", "3");
    var retry = produce(p, "c", "P", "0", "0", "Stream-Seq", "3");
    assertThat(first.status()).isEqualTo(200);
    assertThat(retry.status()).isEqualTo(204);
  }

  @Test
  void closeAppendsAtomicallyAndThenRefusesData() {
    var p = newPath("close");
    ds.put(p, "text/plain", "a");
    var closed = ds.post(p, "text/plain", "b", "Stream-Closed", "true");
    assertThat(closed.status()).isEqualTo(204);
    assertThat(header(closed, "Stream-Closed")).isEqualTo("true");

    var refused = ds.post(p, "text/plain", "c");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(header(refused, "Stream-Closed")).isEqualTo("true");
    assertThat(header(refused, "Stream-Next-Offset")).isEqualTo(header(closed, "Stream-Next-Offset"));
    var again = ds.post(p, "application/json", "", "Stream-Closed", "true");
    assertThat(again.status()).as("close-only ignores the content type").isEqualTo(204);

    var read = ds.get(p);
    assertThat(text(read)).isEqualTo("ab");
    assertThat(header(read, "Stream-Closed")).isEqualTo("true");
    assertThat(header(ds.head(p), "Stream-Closed")).isEqualTo("true");
    var longPoll = ds.get(p + "?offset=" + header(closed, "Stream-Next-Offset") + "&live=long-poll");
    assertThat(longPoll.status()).isEqualTo(204);
    assertThat(header(longPoll, "Stream-Closed")).isEqualTo("true");
  }

  @Test
  void aProducersCloseCanBeRetriedButNotReplaced() {
    var p = newPath("producer-close");
    ds.put(p, "text/plain", null);
    var close = produce(p, "final", "P", "0", "0", "Stream-Closed", "true");
    assertThat(close.status()).isEqualTo(200);
    assertThat(produce(p, "other body", "P", "0", "0", "Stream-Closed", "true").status()).isEqualTo(204);
    var other = produce(p, "late", "Q", "0", "0", "Stream-Closed", "true");
    assertThat(other.status()).isEqualTo(409);
    assertThat(header(other, "Stream-Closed")).isEqualTo("true");
    assertThat(text(ds.get(p))).isEqualTo("final");

    var q = newPath("producer-close-only");
    ds.put(q, "text/plain", null);
    var closeOnly = produce(q, "", "P", "0", "0", "Stream-Closed", "true");
    assertThat(closeOnly.status()).isEqualTo(204);
    assertThat(header(closeOnly, "Producer-Seq")).isEqualTo("0");
  }

  @Test
  void createClosedStreamWithContent() {
    var p = newPath("create-closed");
    var created = ds.put(p, "text/plain", "all there is", "Stream-Closed", "true");
    assertThat(created.status()).isEqualTo(201);
    assertThat(header(created, "Stream-Closed")).isEqualTo("true");
    assertThat(text(ds.get(p))).isEqualTo("all there is");
  }
}
