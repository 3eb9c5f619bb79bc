package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.header;
import static io.tributary.protocol.ds.DsFixture.newPath;
import static io.tributary.protocol.ds.DsFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.HttpResponse;
import org.junit.jupiter.api.Test;

class NamedStreamHandlerTest {
  private final DsFixture ds = DsFixture.get();

  @Test
  void createAnswers201WithLocationThen200ThenConflictForOtherConfig() {
    var p = newPath("create");
    var created = ds.put(p, "text/plain", null);
    assertThat(created.status()).isEqualTo(201);
    assertThat(header(created, "Location")).isEqualTo("http://127.0.0.1:4437" + p);
    assertThat(header(created, "Content-Type")).isEqualTo("text/plain");
    assertThat(header(created, "Stream-Next-Offset")).isEqualTo("0000000000000000_0000000000000000");

    assertThat(ds.put(p, "TEXT/PLAIN", null).status()).isEqualTo(200);
    var conflict = ds.put(p, "application/json", null);
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(text(conflict)).contains("\"code\":\"STREAM_CONFLICT\"");
    assertThat(ds.put(p, "text/plain", null, "Stream-TTL", "60").status()).isEqualTo(409);
  }

  @Test
  void createWithoutContentTypeDefaultsToOctetStream() {
    var p = newPath("default-ct");
    var created = DsFixture.full(ds.call("PUT", p, (String) null));
    assertThat(created.status()).isEqualTo(201);
    assertThat(header(created, "Content-Type")).isEqualTo("application/octet-stream");
  }

  @Test
  void appendsAnswer204WithIncreasingOffsetsAndReadsReturnTheBytes() {
    var p = newPath("append");
    ds.put(p, "text/plain", "first");
    var a1 = ds.post(p, "text/plain", "second");
    var a2 = ds.post(p, "text/plain; charset=utf-8", "third");
    assertThat(a1.status()).isEqualTo(204);
    assertThat(header(a2, "Stream-Next-Offset")).isGreaterThan(header(a1, "Stream-Next-Offset"));

    var all = ds.get(p);
    assertThat(all.status()).isEqualTo(200);
    assertThat(text(all)).isEqualTo("firstsecondthird");
    assertThat(header(all, "Stream-Up-To-Date")).isEqualTo("true");
    assertThat(header(all, "Content-Type")).isEqualTo("text/plain");
    assertThat(header(all, "ETag")).startsWith("\"");

    var resumed = ds.get(p + "?offset=" + header(a1, "Stream-Next-Offset"));
    assertThat(text(resumed)).isEqualTo("third");
    assertThat(ds.get(p + "?offset=-1&unknown=1").body()).isEqualTo(all.body());
  }

  @Test
  void catchUpIsPagedAndOnlyTheLastPageIsUpToDate() {
    var p = newPath("paged");
    ds.put(p, "application/octet-stream", null);
    for (int i = 0; i < 4; i++) {
      ds.post(p, "application/octet-stream", "x".repeat(40));
    }
    var first = ds.get(p);
    assertThat(first.body()).hasSize(40);
    assertThat(header(first, "Stream-Up-To-Date")).isNull();
    assertThat(header(first, "Cache-Control")).contains("max-age=60");
    var offset = header(first, "Stream-Next-Offset");
    int total = first.body().length;
    HttpResponse.Full page;
    do {
      page = ds.get(p + "?offset=" + offset);
      total += page.body().length;
      offset = header(page, "Stream-Next-Offset");
    } while (header(page, "Stream-Up-To-Date") == null);
    assertThat(total).isEqualTo(160);
  }

  @Test
  void etagAnswers304UntilTheStreamChanges() {
    var p = newPath("etag");
    ds.put(p, "text/plain", "data");
    var etag = header(ds.get(p), "ETag");
    var notModified = ds.get(p, "If-None-Match", etag);
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(notModified.body()).isEmpty();
    assertThat(ds.get(p, "If-None-Match", "\"other\"").status()).isEqualTo(200);
    ds.post(p, "text/plain", "more");
    assertThat(ds.get(p, "If-None-Match", etag).status()).isEqualTo(200);
  }

  @Test
  void offsetNowAnswersTheTailWithoutDataAndNoStore() {
    var p = newPath("now");
    var created = ds.put(p, "application/json", "[{\"a\":1}]");
    var now = ds.get(p + "?offset=now");
    assertThat(now.status()).isEqualTo(200);
    assertThat(text(now)).isEqualTo("[]");
    assertThat(header(now, "Stream-Next-Offset")).isEqualTo(header(created, "Stream-Next-Offset"));
    assertThat(header(now, "Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void malformedOffsetsAndLiveModesAre400() {
    var p = newPath("bad-offsets");
    ds.put(p, "text/plain", "x");
    for (var q : new String[] {"offset=", "offset=0,1", "offset=a&offset=b", "offset=0%201",
        "offset=..%2Fx", "live=long-poll", "live=sse", "offset=-1&live=yes"}) {
      assertThat(ds.get(p + "?" + q).status()).as(q).isEqualTo(400);
    }
    assertThat(ds.get(p + "?offset=0000000000000000_0000000000000099").status()).isEqualTo(400);
  }

  @Test
  void headReportsMetadataWithoutBodyAndNeverCaches() {
    var p = newPath("head");
    ds.put(p, "text/plain", "12345", "Stream-TTL", "3600");
    var head = ds.head(p);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(header(head, "Stream-Next-Offset")).isEqualTo("0000000000000000_0000000000000005");
    assertThat(header(head, "Stream-TTL")).isEqualTo("3600");
    assertThat(header(head, "Cache-Control")).isEqualTo("no-store");
    assertThat(header(head, "Stream-Closed")).isNull();
    var missing = ds.head(newPath("nothing"));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).as("HEAD answers carry no body").isEmpty();
  }

  @Test
  void deleteRemovesTheStreamAndTheUrlCanBeReused() {
    var p = newPath("delete");
    ds.put(p, "text/plain", "old");
    assertThat(ds.delete(p).status()).isEqualTo(204);
    assertThat(ds.get(p).status()).isEqualTo(404);
    assertThat(ds.delete(p).status()).isEqualTo(404);
    assertThat(ds.put(p, "text/plain", "new").status()).isEqualTo(201);
    assertThat(text(ds.get(p))).isEqualTo("new");
  }

  @Test
  void appendRefusals() {
    var p = newPath("refusals");
    ds.put(p, "text/plain", null);
    assertThat(ds.post(p, "text/plain", "").status()).as("empty body").isEqualTo(400);
    assertThat(DsFixture.full(ds.call("POST", p, "data")).status()).as("no content type").isEqualTo(400);
    assertThat(ds.post(p, "application/json", "{}").status()).as("type mismatch").isEqualTo(409);
    assertThat(ds.post(newPath("missing"), "text/plain", "x").status()).isEqualTo(404);
    assertThat(ds.post(p, "text/plain", "x".repeat(1025)).status()).as("over the limit").isEqualTo(413);
    assertThat(DsFixture.full(ds.call("PATCH", p, "x")).status()).isEqualTo(405);
  }

  @Test
  void createRefusesBadExpiryHeaders() {
    for (var ttl : new String[] {"-1", "abc", "1.5", "1e3", "+1", "03600", ""}) {
      assertThat(ds.put(newPath("ttl"), "text/plain", null, "Stream-TTL", ttl).status()).as(ttl).isEqualTo(400);
    }
    assertThat(ds.put(newPath("exp"), "text/plain", null, "Stream-Expires-At", "tomorrow").status())
        .isEqualTo(400);
    assertThat(ds.put(newPath("both"), "text/plain", null, "Stream-TTL", "5",
            "Stream-Expires-At", "2030-01-01T00:00:00Z").status())
        .isEqualTo(400);
    assertThat(ds.put(newPath("exp-offset"), "text/plain", null,
            "Stream-Expires-At", "2099-01-01T00:00:00+02:00").status())
        .isEqualTo(201);
  }

  @Test
  void everyAnswerCarriesHardeningAndCorsHeaders() {
    var p = newPath("headers");
    var answers = new HttpResponse[] {
      ds.put(p, "text/plain", "x"), ds.get(p), ds.head(p), ds.get(newPath("missing")),
      ds.post(p, "text/plain", ""), ds.call("OPTIONS", p, (String) null)
    };
    for (var r : answers) {
      assertThat(header(r, "X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(header(r, "Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(header(r, "Cross-Origin-Resource-Policy")).isEqualTo("cross-origin");
    }
    var preflight = ds.call("OPTIONS", p, (String) null);
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(header(preflight, "Access-Control-Allow-Headers").toLowerCase()).contains("if-none-match");
  }

  @Test
  void unusableStreamKeysAre400() {
    assertThat(ds.put("/v1/stream/" + "n".repeat(StreamPaths.MAX_LENGTH), "text/plain", null).status())
        .isEqualTo(400);
    assertThat(ds.put("/v1/stream/nul\u0000byte", "text/plain", null).status()).isEqualTo(400);
    assertThat(ds.put(newPath("fork"), "text/plain", null, "Stream-Forked-From", "/v1/stream/a%00b").status())
        .isEqualTo(400);
    var p = newPath("long-producer");
    ds.put(p, "text/plain", null);
    assertThat(ds.post(p, "text/plain", "x", "Producer-Id", "p".repeat(1025),
            "Producer-Epoch", "0", "Producer-Seq", "0").status())
        .isEqualTo(400);
  }

  @Test
  void pathsOutsideTheProtocolAre404() {
    assertThat(DsFixture.full(ds.call("GET", "/v1/stream/", (String) null)).status()).isEqualTo(404);
    assertThat(DsFixture.full(ds.call("GET", "/elsewhere", (String) null)).status()).isEqualTo(404);
  }
}
