package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** BestEffortLive knobs: defaults (§8.4) and the reference's sanitising rules (§3.1.1 step 0, §8.31). */
class BestEffortLiveConfigTest {

  @Test
  @DisplayName("§8.4 best_effort_live(15000) has ttl 15000, floor 64, ceiling 16384, alpha 0.2")
  void defaults() {
    var mode = (StreamMode.BestEffortLive) StreamMode.bestEffortLive(15_000);
    assertThat(mode.config()).isEqualTo(new BestEffortLiveConfig(15_000, 64, 16_384, 0.2));
    assertThat(BestEffortLiveConfig.withTtl(15_000)).isEqualTo(mode.config());
    assertThat(BestEffortLiveConfig.DEFAULT_MAXLEN_FLOOR).isEqualTo(64);
    assertThat(BestEffortLiveConfig.DEFAULT_MAXLEN_CEILING).isEqualTo(16_384);
    assertThat(BestEffortLiveConfig.DEFAULT_EMA_ALPHA).isEqualTo(0.2);
  }

  @Test
  @DisplayName("§8.4 the builder keeps every knob")
  void builder() {
    var c =
        BestEffortLiveConfig.withTtl(10_000).withMaxlenFloor(128).withMaxlenCeiling(8_192).withEmaAlpha(0.3);
    assertThat(c).isEqualTo(new BestEffortLiveConfig(10_000, 128, 8_192, 0.3));
    assertThat(c.sanitised()).isEqualTo(c);
    var mode = (StreamMode.BestEffortLive) StreamMode.bestEffortLive(c);
    assertThat(mode.config()).isSameAs(c);
  }

  @Test
  @DisplayName("§8.31 floor 0, ceiling 0, alpha 0 behave as 64 / 16384 / 0.2")
  void zeroKnobs() {
    assertThat(new BestEffortLiveConfig(5_000, 0, 0, 0).sanitised())
        .isEqualTo(new BestEffortLiveConfig(5_000, 64, 16_384, 0.2));
    assertThat(new BestEffortLiveConfig(5_000, -5, -1, -0.5).sanitised())
        .isEqualTo(new BestEffortLiveConfig(5_000, 64, 16_384, 0.2));
  }

  @Test
  @DisplayName("§8.31 alpha outside (0, 1] (1.5, NaN, infinities) becomes 0.2; alpha 1 is kept")
  void alpha() {
    for (double bad : new double[] {1.5, 1.0000001, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0}) {
      assertThat(BestEffortLiveConfig.withTtl(1).withEmaAlpha(bad).sanitised().emaAlpha()).as("alpha %s", bad).isEqualTo(0.2);
    }
    assertThat(BestEffortLiveConfig.withTtl(1).withEmaAlpha(1.0).sanitised().emaAlpha()).isEqualTo(1.0);
    assertThat(BestEffortLiveConfig.withTtl(1).withEmaAlpha(Double.MIN_VALUE).sanitised().emaAlpha())
        .isEqualTo(Double.MIN_VALUE);
  }

  @Test
  @DisplayName("§8.31 floor 100 with ceiling 50 raises the ceiling to 100")
  void ceilingBelowFloor() {
    var s = BestEffortLiveConfig.withTtl(5_000).withMaxlenFloor(100).withMaxlenCeiling(50).sanitised();
    assertThat(s.maxlenFloor()).isEqualTo(100);
    assertThat(s.maxlenCeiling()).isEqualTo(100);
    // ceiling defaulted (0 → 16384) is compared after defaulting
    var s2 = BestEffortLiveConfig.withTtl(5_000).withMaxlenFloor(20_000).withMaxlenCeiling(0).sanitised();
    assertThat(s2.maxlenCeiling()).isEqualTo(20_000);
  }

  @Test
  @DisplayName("ttl must be a u32 (0 allowed: no expiry)")
  void ttlRange() {
    assertThat(BestEffortLiveConfig.withTtl(0).ttlMs()).isZero();
    assertThat(BestEffortLiveConfig.withTtl(0xFFFF_FFFFL).ttlMs()).isEqualTo(0xFFFF_FFFFL);
    assertThatThrownBy(() -> BestEffortLiveConfig.withTtl(-1))
        .isInstanceOfSatisfying(
            ValidationException.class, e -> assertThat(e.kind()).isEqualTo(ValidationKind.INVALID_INPUT));
    assertThatThrownBy(() -> BestEffortLiveConfig.withTtl(0x1_0000_0000L)).isInstanceOf(ValidationException.class);
  }
}
