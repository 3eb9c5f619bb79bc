package io.tributary.protocol.ds.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class WebhookTargetsTest {
  /** Resolves literals only, so no test asks DNS. */
  private static InetAddress[] literal(String host) {
    try {
      return host.matches("[0-9a-fA-F:.]+") ? InetAddress.getAllByName(host) : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Test
  void theDefaultAllowsLoopbackOnly() {
    var t = WebhookTargets.parse(WebhookTargets.DEFAULT_ALLOWED, WebhookTargetsTest::literal);
    assertThat(t.refusal("http://127.0.0.1:8080/x")).isNull();
    assertThat(t.refusal("https://[::1]/x")).isNull();
    assertThat(t.refusal("http://10.0.0.1/hook")).contains("private");
    assertThat(t.refusal("http://93.184.215.14/hook")).contains("public");
    assertThat(t.refusal("http://no-such-host.invalid/hook")).contains("does not resolve");
    assertThat(t.refusal("http:///nohost")).isNotNull();
    assertThat(t.refusal("gopher://127.0.0.1/")).contains("http or https");
  }

  @Test
  void classesAndRangesWidenIt() {
    var t = WebhookTargets.parse("public, 10.1.0.0/16", WebhookTargetsTest::literal);
    assertThat(t.refusal("https://93.184.215.14/hook")).isNull();
    assertThat(t.refusal("http://10.1.2.3/hook")).isNull();
    assertThat(t.refusal("http://10.2.0.1/hook")).isNotNull();
    assertThat(t.refusal("http://127.0.0.1/hook")).contains("loopback");
    // special addresses are never "public"
    assertThat(t.refusal("http://169.254.169.254/")).contains("special");
    assertThat(t.refusal("http://0.0.0.0/")).contains("special");
    assertThat(t.refusal("http://[fe80::1]/")).contains("special");
    assertThat(t.refusal("http://224.0.0.1/")).contains("special");
    var p = WebhookTargets.parse("private", WebhookTargetsTest::literal);
    assertThat(p.refusal("http://192.168.0.1/")).isNull();
    assertThat(p.refusal("http://[fd12::1]/")).isNull();
  }

  @Test
  void refusesAMeaninglessAllowList() {
    assertThatThrownBy(() -> WebhookTargets.parse(" , ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebhookTargets.parse("everything")).hasMessageContaining("everything");
    assertThatThrownBy(() -> WebhookTargets.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> WebhookTargets.parse("example.com/8")).hasMessageContaining("not an IP range");
  }
}
