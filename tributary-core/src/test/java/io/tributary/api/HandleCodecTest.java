package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.contract.Seeds;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The handle wire format of spec §1.4 (acceptance scenario §8.6). */
class HandleCodecTest {
  /** The PostgreSQL store's codec (FlowFabric tag 2). */
  private static final HandleCodec CODEC = HandleCodec.forBackendTag(0x02);
  private static final ExecutionId EID = ExecutionId.parse("{fp:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21");
  private static final UUID ATTEMPT = UUID.fromString("11111111-2222-4333-8444-555555555555");
  private static final UUID LEASE = UUID.fromString("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");

  private static Handle sample() {
    return new Handle(EID, 3, ATTEMPT, LEASE, 7, 30_000, 1_713_100_830_150L, "lane-ü", "worker-1");
  }

  /** Hand-built FlowFabric v2 layout (magic 0x02, wire version, tag, fields LE). */
  private static final class Bytes {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes raw(int... bs) {
      for (int b : bs) {
        out.write(b);
      }
      return this;
    }

    Bytes str(String s) {
      return blob(s.getBytes(StandardCharsets.UTF_8));
    }

    Bytes blob(byte[] b) {
      num(b.length, 4);
      out.writeBytes(b);
      return this;
    }

    Bytes num(long v, int n) {
      for (int i = 0; i < n; i++) {
        out.write((int) (v >>> (8 * i)) & 0xFF);
      }
      return this;
    }

    Bytes fields(String eid) {
      return str(eid).num(3, 4).str(ATTEMPT.toString()).str(LEASE.toString()).num(7, 8).num(30_000, 8)
          .str("lane").str("worker");
    }

    byte[] get() {
      return out.toByteArray();
    }
  }

  private static byte[] flowFabricV2(int tag) {
    return new Bytes().raw(0x02, 0x01, tag).fields(EID.toString()).get();
  }

  private static void assertCorrupt(byte[] bytes) {
    assertThatThrownBy(() -> CODEC.decode(bytes))
        .as("decode %s", Arrays.toString(bytes))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ValidationKind.CORRUPTION);
              assertThat(e.code()).isEqualTo("corruption");
            });
  }

  private static void assertOtherBackend(byte[] bytes, String actual) {
    assertThatThrownBy(() -> CODEC.decode(bytes))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ValidationKind.HANDLE_FROM_OTHER_BACKEND);
              assertThat(e.detail()).contains("expected=postgres").contains("actual=" + actual);
            });
  }

  @Test
  @DisplayName("§8.6 encode/decode and token round trips keep every field")
  void roundTrip() {
    var h = sample();
    assertThat(CODEC.decode(CODEC.encode(h))).isEqualTo(h);
    assertThat(CODEC.fromToken(CODEC.toToken(h))).isEqualTo(h);
    assertThat(CODEC.toToken(h)).matches("[A-Za-z0-9_-]+");
    var bare = new Handle(EID, 0xFFFF_FFFFL, ATTEMPT, LEASE, Long.MAX_VALUE, 0, 0, null, null);
    assertThat(CODEC.decode(CODEC.encode(bare))).isEqualTo(bare);
    assertThat(bare.laneId()).isEmpty();
  }

  @Test
  @DisplayName("§1.4 the encoding starts magic 0x02, wire version, Postgres tag 0x02")
  void header() {
    byte[] b = CODEC.encode(sample());
    assertThat(b[0]).isEqualTo((byte) 0x02);
    assertThat(b[2]).isEqualTo((byte) 0x02);
  }

  @Test
  @DisplayName("§8.6 a FlowFabric v2 buffer (wire version 1) with the Postgres tag decodes (no expiry)")
  void flowFabricLayoutDecodes() {
    var h = CODEC.decode(flowFabricV2(0x02));
    assertThat(h.executionId()).isEqualTo(EID);
    assertThat(h.attemptIndex()).isEqualTo(3);
    assertThat(h.attemptId()).isEqualTo(ATTEMPT);
    assertThat(h.leaseId()).isEqualTo(LEASE);
    assertThat(h.leaseEpoch()).isEqualTo(7);
    assertThat(h.leaseTtlMs()).isEqualTo(30_000);
    assertThat(h.laneId()).isEqualTo("lane");
    assertThat(h.workerInstanceId()).isEqualTo("worker");
    assertThat(h.leaseExpiresAtMs()).isZero();
  }

  @Test
  @DisplayName("§8.6 Valkey and SQLite tagged handles → HandleFromOtherBackend")
  void otherBackends() {
    assertOtherBackend(flowFabricV2(0x01), "valkey");
    assertOtherBackend(flowFabricV2(0x03), "sqlite");
  }

  @Test
  @DisplayName("§8.6 a legacy v1 buffer (leading 0x01) decodes as Valkey → HandleFromOtherBackend")
  void legacyV1IsValkey() {
    assertOtherBackend(new Bytes().raw(0x01).fields(EID.toString()).get(), "valkey");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x03, 0x7F, 0xFF})
  @DisplayName("§8.6 unknown wire version → Corruption")
  void unknownWireVersion(int version) {
    assertCorrupt(new Bytes().raw(0x02, version, 0x02).fields(EID.toString()).get());
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x04, 0x80, 0xFF})
  @DisplayName("§8.6 unknown backend tag byte → Corruption")
  void unknownTag(int tag) {
    assertCorrupt(flowFabricV2(tag));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x03, 0x42, 0xFF})
  @DisplayName("§8.6 unknown leading byte → Corruption")
  void unknownLeadingByte(int lead) {
    byte[] b = CODEC.encode(sample());
    b[0] = (byte) lead;
    assertCorrupt(b);
  }

  @Test
  @DisplayName("§8.6 every truncation of a valid handle → Corruption")
  void truncations() {
    byte[] full = CODEC.encode(sample());
    for (int len = 0; len < full.length; len++) {
      assertCorrupt(Arrays.copyOf(full, len));
    }
    byte[] ff = flowFabricV2(0x02);
    for (int len = 1; len < ff.length; len++) {
      assertCorrupt(Arrays.copyOf(ff, len));
    }
  }

  @Test
  @DisplayName("§8.6 one extra trailing byte → Corruption")
  void trailingByte() {
    byte[] full = CODEC.encode(sample());
    assertCorrupt(Arrays.copyOf(full, full.length + 1));
    byte[] ff = flowFabricV2(0x02);
    assertCorrupt(Arrays.copyOf(ff, ff.length + 1));
  }

  @Test
  @DisplayName("§1.4 invalid UTF-8, unparseable ids and huge length prefixes → Corruption")
  void garbledFields() {
    assertCorrupt(
        new Bytes().raw(0x02, 0x01, 0x02).blob(new byte[] {(byte) 0xC3, 0x28}).num(3, 4)
            .str(ATTEMPT.toString()).str(LEASE.toString()).num(7, 8).num(1, 8).str("").str("").get());
    assertCorrupt(flowFabricWithEid("not-an-execution-id"));
    assertCorrupt(flowFabricWithEid("{fp:70000}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21"));
    assertCorrupt(
        new Bytes().raw(0x02, 0x01, 0x02).str(EID.toString()).num(3, 4).str("not-a-uuid")
            .str(LEASE.toString()).num(7, 8).num(1, 8).str("").str("").get());
    assertCorrupt(
        new Bytes().raw(0x02, 0x01, 0x02).str(EID.toString()).num(3, 4).str(ATTEMPT.toString())
            .str("zzzzzzzz-bbbb-4ccc-8ddd-eeeeeeeeeeee").num(7, 8).num(1, 8).str("").str("").get());
    // a length prefix of 4 GiB - 1 on a short buffer
    assertCorrupt(new Bytes().raw(0x02, 0x01, 0x02).raw(0xFF, 0xFF, 0xFF, 0xFF).raw(1, 2, 3).get());
    // a length prefix of 2 GiB (sign bit set)
    assertCorrupt(new Bytes().raw(0x02, 0x01, 0x02).raw(0x00, 0x00, 0x00, 0x80).get());
  }

  private static byte[] flowFabricWithEid(String eid) {
    return new Bytes().raw(0x02, 0x01, 0x02).fields(eid).get();
  }

  @Test
  @DisplayName("§8.6 null/empty bytes and bad tokens → Corruption")
  void emptyAndTokens() {
    assertCorrupt(new byte[0]);
    assertCorrupt(null);
    for (String token : new String[] {null, "", "   ", "!!!not base64!!!", "a", "AAAA", "////"}) {
      assertThatThrownBy(() -> CODEC.fromToken(token))
          .as("token %s", token)
          .isInstanceOfSatisfying(
              ValidationException.class, e -> assertThat(e.kind()).isEqualTo(ValidationKind.CORRUPTION));
    }
    // standard base64 of a valid handle is not the URL-safe token, but must never crash
    String std = Base64.getEncoder().encodeToString(CODEC.encode(sample()));
    var t = catchThrowable(() -> CODEC.fromToken(std));
    assertThat(t == null || t instanceof ValidationException).as("thrown %s", t).isTrue();
  }

  @Test
  @DisplayName("fuzz: random bytes, bit flips and splices never escape as anything but ValidationException")
  void fuzzNeverCrashes() {
    long seed = Seeds.seed();
    var rnd = new SplittableRandom(seed);
    byte[] valid = CODEC.encode(sample());
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      switch (i % 3) {
        case 0 -> {
          b = new byte[rnd.nextInt(0, 200)];
          rnd.nextBytes(b);
          if (b.length > 3 && rnd.nextBoolean()) {
            b[0] = 0x02;
            b[1] = (byte) rnd.nextInt(1, 3);
            b[2] = 0x02;
          }
        }
        case 1 -> {
          b = valid.clone();
          int flips = rnd.nextInt(1, 4);
          for (int f = 0; f < flips; f++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        default -> {
          b = Arrays.copyOf(valid, rnd.nextInt(0, valid.length + 20));
          for (int j = Math.min(valid.length, b.length); j < b.length; j++) {
            b[j] = (byte) rnd.nextInt(256);
          }
        }
      }
      byte[] input = b;
      Throwable t = catchThrowable(() -> CODEC.decode(input));
      assertThat(t == null || t instanceof ValidationException)
          .as("%s: decode %s threw %s", Seeds.replay(seed), Arrays.toString(input), t)
          .isTrue();
      Throwable t2 = catchThrowable(() -> CODEC.fromToken(Base64.getUrlEncoder().encodeToString(input)));
      assertThat(t2 == null || t2 instanceof ValidationException)
          .as("%s: fromToken threw %s", Seeds.replay(seed), t2)
          .isTrue();
    }
  }

  @Test
  @DisplayName("attempt index must be a u32")
  void attemptIndexRange() {
    assertThatThrownBy(() -> new Handle(EID, -1, ATTEMPT, LEASE, 1, 1, 1, "", ""))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> new Handle(EID, 0x1_0000_0000L, ATTEMPT, LEASE, 1, 1, 1, "", ""))
        .isInstanceOf(ValidationException.class);
  }
}
