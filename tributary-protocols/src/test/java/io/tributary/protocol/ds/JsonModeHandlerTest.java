package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.newPath;
import static io.tributary.protocol.ds.DsFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonModeHandlerTest {
  private static final String JSON = "application/json";
  private final DsFixture ds = DsFixture.get();

  @Test
  void arraysAreFlattenedOneLevelAndReadsJoinAllMessages() {
    var p = newPath("json");
    assertThat(ds.put(p, JSON, "[]").status()).isEqualTo(201);
    assertThat(text(ds.get(p))).isEqualTo("[]");
    ds.post(p, JSON, "{ \"a\" : 1 }");
    ds.post(p, JSON, "[[1, 2], [3]]");
    ds.post(p, JSON + "; charset=utf-8", "[\"x\", null, 2.50, [[\"nested\"]]]");
    assertThat(text(ds.get(p))).isEqualTo("[{\"a\":1},[1,2],[3],\"x\",null,2.50,[[\"nested\"]]]");
  }

  @Test
  void invalidJsonAndEmptyArraysAreRefused() {
    var p = newPath("json-bad");
    ds.put(p, JSON, null);
    assertThat(ds.post(p, JSON, "[]").status()).isEqualTo(400);
    assertThat(ds.post(p, JSON, "{ invalid json }").status()).isEqualTo(400);
    assertThat(ds.post(p, JSON, "{} {}").status()).isEqualTo(400);
    assertThat(ds.put(newPath("json-bad-put"), JSON, "[1,").status()).isEqualTo(400);
    assertThat(text(ds.get(p))).isEqualTo("[]");
  }

  @Test
  void resumingMidStreamReturnsOnlyLaterMessages() {
    var p = newPath("json-resume");
    ds.put(p, JSON, "[{\"n\":1},{\"n\":2}]");
    var offset = DsFixture.header(ds.get(p), "Stream-Next-Offset");
    ds.post(p, JSON, "{\"n\":3}");
    assertThat(text(ds.get(p + "?offset=" + offset))).isEqualTo("[{\"n\":3}]");
  }
}
