package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
  @Test
  void toStringMasksThePasswordAlsoOneInsideTheUrl() {
    var config = StoreConfig.builder("jdbc:postgresql://db/app?user=app&password=s3cret&ssl=true")
        .user("app")
        .password("hunter2")
        .build();
    assertThat(config.toString())
        .doesNotContain("hunter2", "s3cret")
        .contains("password=***", "user=app", "ssl=true", "poolSize=16");
    assertThat(config.password()).isEqualTo("hunter2");
  }

  @Test
  void urlsWithoutPasswordsAreLeftAlone() {
    assertThat(StoreConfig.redactedUrl("jdbc:postgresql://db/app?user=app")).isEqualTo("jdbc:postgresql://db/app?user=app");
    assertThat(StoreConfig.redactedUrl("jdbc:postgresql://db/app?PASSWORD=x;ssl=true"))
        .isEqualTo("jdbc:postgresql://db/app?PASSWORD=***;ssl=true");
    assertThat(StoreConfig.builder("jdbc:postgresql://db/app").build().toString()).contains("password=null");
  }

  @Test
  @DisplayName("StoreConfig: named defaults and rejected values")
  void storeConfig() {
    var c = StoreConfig.builder("jdbc:postgresql://x/y").build();
    assertThat(c.maxPayloadBytes()).isEqualTo(65_536);
    assertThat(c.durableRetention()).isEqualTo(10_000);
    assertThat(c.summaryRetention()).isEqualTo(64);
    assertThat(c.clock()).isNull();
    assertThatThrownBy(() -> StoreConfig.builder("u").poolSize(0).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreConfig.builder("u").durableRetention(0).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreConfig.builder("u").maxPayloadBytes(0).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreConfig.builder("u").tailRecheckInterval(Duration.ofMillis(5)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreConfig.builder("u").maxBatch(1001).build()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreConfig.builder(null).build()).isInstanceOf(NullPointerException.class);
  }
}
