package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ExecutionId;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenSignerTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final TokenSigner signer = new TokenSigner(KEY);

  @Test
  void aSignedTokenVerifiesToWhatWasSigned() {
    var attempt = new ReadToken(new StreamScope.Attempt(ExecutionId.random(7), 3), 1_700_000_000_000L);
    var named = new ReadToken(new StreamScope.Named("/v1/stream/chat/42 é"), 42L);
    assertThat(signer.verify(signer.sign(attempt))).isEqualTo(attempt);
    assertThat(signer.verify(signer.sign(named))).isEqualTo(named);
    assertThat(new TokenSigner(KEY.clone()).verify(signer.sign(named)))
        .as("any signer with the same key accepts it").isEqualTo(named);
  }

  @Test
  void tokensAreVersionedAndUrlSafe() {
    var token = signer.sign(new ReadToken(new StreamScope.Named("/v1/stream/a?b&c=d"), 1L));
    assertThat(token).startsWith("tbr1.").matches("[A-Za-z0-9_.-]+");
  }

  @Test
  void anyChangeOrAnotherKeyIsRejected() {
    var token = signer.sign(new ReadToken(new StreamScope.Named("/v1/stream/mine"), 99L));
    var other = new TokenSigner("another key, also thirty-two bytes".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> other.verify(token)).isInstanceOf(IllegalArgumentException.class);

    int dot = token.lastIndexOf('.');
    var forgedPayload =
        "tbr1." + Base64.getUrlEncoder().withoutPadding()
            .encodeToString("read\n99\nnamed\n/v1/stream/yours".getBytes(StandardCharsets.UTF_8));
    for (var bad :
        new String[] {
          forgedPayload + token.substring(dot),
          token.substring(0, dot) + ".AAAA",
          token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A"),
          token.replace("tbr1.", "tbr2."),
          token.substring(0, dot),
          "tbr1.",
          "tbr1..",
          "tbr1.x.!!",
        }) {
      assertThatThrownBy(() -> signer.verify(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aShortKeyIsRefused() {
    assertThatThrownBy(() -> new TokenSigner(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 bytes");
  }
}
