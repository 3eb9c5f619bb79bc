package io.tributary.protocol.ds.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobPatternTest {
  @Test
  void starIsOneSegmentAndDoubleStarAnyNumber() {
    var one = new GlobPattern("events/*");
    assertThat(one.matches("events/a")).isTrue();
    assertThat(one.matches("events")).isFalse();
    assertThat(one.matches("events/a/b")).isFalse();
    assertThat(one.matches("other/a")).isFalse();

    var any = new GlobPattern("/events/**/");
    assertThat(any.matches("events")).isTrue();
    assertThat(any.matches("events/a/b/c")).isTrue();
    assertThat(any.matches("eventsx/a")).isFalse();

    var middle = new GlobPattern("a/**/z");
    assertThat(middle.matches("a/z")).isTrue();
    assertThat(middle.matches("a/b/c/z")).isTrue();
    assertThat(middle.matches("a/b/c")).isFalse();
  }

  @Test
  void theLiteralPrefixBoundsEveryMatch() {
    assertThat(new GlobPattern("events/*").literalPrefix()).isEqualTo("events/");
    assertThat(new GlobPattern("a/b/**").literalPrefix()).isEqualTo("a/b/");
    assertThat(new GlobPattern("**").literalPrefix()).isEmpty();
    assertThat(new GlobPattern("exact/name").literalPrefix()).isEqualTo("exact/name");
  }
}
