package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;

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
}
