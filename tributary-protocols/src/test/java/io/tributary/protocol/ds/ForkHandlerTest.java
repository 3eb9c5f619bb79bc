package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.header;
import static io.tributary.protocol.ds.DsFixture.newPath;
import static io.tributary.protocol.ds.DsFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForkHandlerTest {
  private static final String ZERO = "0000000000000000_0000000000000000";
  private final DsFixture ds = DsFixture.get();

  @Test
  void aForkReadsItsSourcePrefixThenItsOwnData() {
    var src = newPath("fork-src");
    var first = ds.put(src, "text/plain", "first");
    ds.post(src, "text/plain", "second");
    var fork = newPath("fork");
    var created = ds.put(fork, null, null,
        "Stream-Forked-From", src, "Stream-Fork-Offset", header(first, "Stream-Next-Offset"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(header(created, "Content-Type")).as("inherited").isEqualTo("text/plain");
    assertThat(header(created, "Stream-Forked-From")).as("forks are transparent").isNull();
    ds.post(fork, "text/plain", "+fork");
    ds.post(src, "text/plain", "+src");
    assertThat(text(ds.get(fork))).isEqualTo("first+fork");
    assertThat(text(ds.get(src))).isEqualTo("firstsecond+src");
    assertThat(ds.put(fork, null, null, "Stream-Forked-From", src,
        "Stream-Fork-Offset", header(first, "Stream-Next-Offset")).status()).isEqualTo(200);
  }

  @Test
  void subOffsetsTakePartOfTheNextAppend() {
    var src = newPath("sub-src");
    ds.put(src, "text/plain", "hello");
    var fork = newPath("sub-fork");
    var created = ds.put(fork, "text/plain", "XY",
        "Stream-Forked-From", src, "Stream-Fork-Offset", ZERO, "Stream-Fork-Sub-Offset", "3");
    assertThat(created.status()).isEqualTo(201);
    assertThat(text(ds.get(fork))).isEqualTo("helXY");
    var tail = header(created, "Stream-Next-Offset");
    assertThat(text(ds.get(fork + "?offset=" + tail))).isEmpty();

    var json = newPath("sub-json");
    ds.put(json, "application/json", "[{\"a\":1},{\"b\":2},{\"c\":3}]");
    var jsonFork = newPath("sub-json-fork");
    ds.put(jsonFork, "application/json", null,
        "Stream-Forked-From", json, "Stream-Fork-Offset", ZERO, "Stream-Fork-Sub-Offset", "2");
    assertThat(text(ds.get(jsonFork))).isEqualTo("[{\"a\":1},{\"b\":2}]");
  }

  @Test
  void forkRefusals() {
    var src = newPath("fork-refuse-src");
    ds.put(src, "text/plain", "hi");
    assertThat(ds.put(newPath("f"), "text/plain", null, "Stream-Forked-From", newPath("nowhere")).status())
        .isEqualTo(404);
    assertThat(ds.put(newPath("f"), "application/json", null, "Stream-Forked-From", src).status())
        .isEqualTo(409);
    assertThat(ds.put(newPath("f"), "text/plain", null, "Stream-Forked-From", src,
        "Stream-Fork-Offset", "9999999999999999_9999999999999999").status()).isEqualTo(400);
    assertThat(ds.put(newPath("f"), "text/plain", null, "Stream-Forked-From", src,
        "Stream-Fork-Offset", ZERO, "Stream-Fork-Sub-Offset", "3").status()).isEqualTo(400);
    for (var bad : new String[] {"-1", "abc", "1.5", "05", "+1"}) {
      assertThat(ds.put(newPath("f"), "text/plain", null, "Stream-Forked-From", src,
          "Stream-Fork-Offset", ZERO, "Stream-Fork-Sub-Offset", bad).status()).as(bad).isEqualTo(400);
    }
    assertThat(ds.put(newPath("f"), "text/plain", null, "Stream-Fork-Sub-Offset", "0").status())
        .as("sub-offset without a source")
        .isEqualTo(400);
  }

  @Test
  void deletedSourcesAreGoneWhileForksLiveAndFreedAfterwards() {
    var src = newPath("gc-src");
    ds.put(src, "text/plain", "kept");
    var fork = newPath("gc-fork");
    ds.put(fork, "text/plain", null, "Stream-Forked-From", src);
    assertThat(ds.delete(src).status()).isEqualTo(204);
    assertThat(ds.head(src).status()).isEqualTo(410);
    assertThat(ds.get(src).status()).isEqualTo(410);
    assertThat(ds.post(src, "text/plain", "x").status()).isEqualTo(410);
    assertThat(ds.delete(src).status()).isEqualTo(410);
    assertThat(ds.put(src, "text/plain", null).status()).isEqualTo(409);
    assertThat(ds.put(newPath("refork"), "text/plain", null, "Stream-Forked-From", src).status())
        .isEqualTo(409);
    assertThat(text(ds.get(fork))).isEqualTo("kept");

    assertThat(ds.delete(fork).status()).isEqualTo(204);
    assertThat(ds.head(src).status()).isEqualTo(404);
  }

  @Test
  void aForkLongPollWaitsForItsOwnAppendsOnly() {
    var src = newPath("fork-lp-src");
    ds.put(src, "text/plain", "s");
    var fork = newPath("fork-lp");
    var created = ds.put(fork, "text/plain", null, "Stream-Forked-From", src);
    ds.post(src, "text/plain", "source only");
    var r = ds.get(fork + "?offset=" + header(created, "Stream-Next-Offset") + "&live=long-poll");
    assertThat(r.status()).isEqualTo(204);
  }
}
