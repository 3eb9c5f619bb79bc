package io.tributary.protocol.ds;

import static io.tributary.protocol.ds.DsFixture.CLOCK;
import static io.tributary.protocol.ds.DsFixture.header;
import static io.tributary.protocol.ds.DsFixture.newPath;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiryHandlerTest {
  private final DsFixture ds = DsFixture.get();

  @Test
  void slidingTtlIsRefreshedByGetAndPostButNotHead() {
    var p = newPath("ttl");
    ds.put(p, "text/plain", null, "Stream-TTL", "2");
    CLOCK.advance(1_500);
    assertThat(ds.get(p + "?offset=now").status()).isEqualTo(200);
    CLOCK.advance(1_500);
    assertThat(ds.post(p, null, "", "Stream-Closed", "true").status()).isEqualTo(204);
    CLOCK.advance(1_500);
    assertThat(ds.head(p).status()).isEqualTo(200);
    CLOCK.advance(600);
    assertThat(ds.head(p).status()).isEqualTo(404);
    assertThat(ds.put(p, "application/json", "[1]").status()).isEqualTo(201);
  }

  @Test
  void expiresAtIsAbsoluteAndReportedOnHead() {
    var p = newPath("expires");
    var at = Instant.ofEpochMilli(CLOCK.millis() + 4_000);
    ds.put(p, "text/plain", "x", "Stream-Expires-At", at.toString());
    assertThat(header(ds.head(p), "Stream-Expires-At")).isEqualTo(at.toString());
    CLOCK.advance(2_000);
    assertThat(ds.get(p).status()).isEqualTo(200);
    CLOCK.advance(2_000);
    assertThat(ds.get(p).status()).isEqualTo(404);
    assertThat(ds.post(p, "text/plain", "late").status()).isEqualTo(404);
  }

  @Test
  void forksInheritTheSourceTtlUnlessTheyGiveTheirOwn() {
    var src = newPath("ttl-src");
    ds.put(src, "text/plain", "s", "Stream-TTL", "3600");
    var inherit = newPath("ttl-inherit");
    ds.put(inherit, "text/plain", null, "Stream-Forked-From", src);
    var own = newPath("ttl-own");
    ds.put(own, "text/plain", null, "Stream-Forked-From", src, "Stream-TTL", "99999");
    assertThat(header(ds.head(inherit), "Stream-TTL")).isEqualTo("3600");
    assertThat(header(ds.head(own), "Stream-TTL")).isEqualTo("99999");
  }
}
