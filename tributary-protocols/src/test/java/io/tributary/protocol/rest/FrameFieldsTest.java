package io.tributary.protocol.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.EntryId;
import io.tributary.api.StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameFieldsTest {
  @Test
  @DisplayName("§7.17 utf8 payloads read as text, others as base64 with encoding=base64")
  void fields() {
    var text =
        new StreamFrame(new EntryId(5, 1), "log", "héllo".getBytes(StandardCharsets.UTF_8), "durable", "c-1", 4, null, null);
    assertThat(FrameFields.of(text))
        .containsExactly(
            Map.entry("correlation_id", "c-1"),
            Map.entry("encoding", "utf8"),
            Map.entry("frame_type", "log"),
            Map.entry("mode", "durable"),
            Map.entry("payload", "héllo"),
            Map.entry("source", "worker"),
            Map.entry("ts", "4"));
    byte[] bin = {(byte) 0xFF, 0, (byte) 0xC3};
    var binary = new StreamFrame(new EntryId(5, 2), "blob", bin, "summary", null, 4, 3L, null);
    assertThat(FrameFields.of(binary))
        .containsEntry("encoding", "base64")
        .containsEntry("payload", Base64.getEncoder().encodeToString(bin))
        .containsEntry("summary_version", "3")
        .doesNotContainKey("correlation_id");
    var be = new StreamFrame(new EntryId(5, 3), "tok", new byte[0], "best_effort", null, 4, null, 5000L);
    assertThat(FrameFields.of(be)).containsEntry("ttl_ms", "5000").containsEntry("payload", "").containsEntry("encoding", "utf8");
  }
}
