package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec §1.1 and the normalisation fix of §7.30. */
class ExecutionIdTest {
  private static final String CANONICAL = "{fp:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21";

  @Test
  @DisplayName("§1.1 parses {fp:N}:<uuid> and prints it back")
  void parsesCanonical() {
    var id = ExecutionId.parse(CANONICAL);
    assertThat(id.partition()).isEqualTo(42);
    assertThat(id.uuid()).isEqualTo(UUID.fromString("6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21"));
    assertThat(id).hasToString(CANONICAL);
    assertThat(ExecutionId.parse(id.toString())).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{fp:42}:6F1C2A8E-3D0B-4F59-9A0E-0C1F7B7F8D21",
        "{fp:42}:6f1c2a8e3d0b4f599a0e0c1f7b7f8d21",
        "{fp:42}:6F1C2A8E3D0B4F599A0E0C1F7B7F8D21",
        "{fp:42}:{6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21}",
        "{fp:42}:6f1C2a8E-3D0b-4f59-9A0e-0c1f7b7F8d21",
        "{fp:042}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21"
      })
  @DisplayName("§7.30 other spellings of one UUID normalise to the canonical lowercase id")
  void normalises(String spelling) {
    var id = ExecutionId.parse(spelling);
    assertThat(id).isEqualTo(ExecutionId.parse(CANONICAL));
    assertThat(id).hasToString(CANONICAL);
  }

  @Test
  @DisplayName("partition bounds: 0 and 65535 accepted")
  void partitionBounds() {
    assertThat(ExecutionId.parse("{fp:0}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21").partition()).isZero();
    assertThat(ExecutionId.parse("{fp:65535}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21").partition()).isEqualTo(65535);
    assertThat(ExecutionId.random(7).partition()).isEqualTo(7);
    assertThat(ExecutionId.random(7)).isNotEqualTo(ExecutionId.random(7));
    assertThatThrownBy(() -> new ExecutionId(65536, UUID.randomUUID()))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> assertThat(e.kind()).isEqualTo(ValidationKind.INVALID_EXECUTION_ID));
    assertThatThrownBy(() -> ExecutionId.random(-1)).isInstanceOf(ValidationException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "fp:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{FP:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:42:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:42}6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:-1}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:+1}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:65536}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:123456}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:4x}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:٤٢}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:42}:",
        "{fp:42}:not-a-uuid",
        "{fp:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d2",
        "{fp:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d211",
        "{fp:42}:6f1c2a8g-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:42}:6f1c2a8e3-d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:42}:1-1-1-1-1",
        "{fp:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21 ",
        "{fp:42}: 6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:42}:{6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21",
        "{fp:42}:urn:uuid:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21"
      })
  @DisplayName("§1.1 missing tag, bad partition or bad UUID → INVALID_EXECUTION_ID")
  void rejects(String text) {
    assertThatThrownBy(() -> ExecutionId.parse(text))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ValidationKind.INVALID_EXECUTION_ID);
              assertThat(e.code()).isEqualTo("invalid_execution_id");
            });
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> ExecutionId.parse(null)).isInstanceOf(ValidationException.class);
  }
}
