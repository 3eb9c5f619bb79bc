package io.tributary.cli;

import io.tributary.client.StoredFrame;
import io.tributary.client.Summary;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes frames for a person or a program. Human: {@code stdout}/{@code stderr} frames exactly as
 * the command wrote them (so a {@code run}'s output comes back byte for byte), other frames as
 * {@code [type] payload} lines. JSON: one object per frame and line ({@code id}, {@code
 * frame_type}, {@code mode}, {@code ts}, {@code payload}, plus {@code "encoding":"base64"} for
 * payloads that are not UTF-8), and a last {@code {"closed_reason":…}} line when the stream ends
 * closed.
 */
final class FramePrinter {
  private static final JsonMapper JSON = JsonMapper.shared();
  private final OutputStream out;
  private final boolean json;

  FramePrinter(OutputStream out, ClientOptions.Output output) {
    this.out = out;
    this.json = output == ClientOptions.Output.json;
  }

  void frame(StoredFrame f) {
    try {
      if (json) {
        var node = JSON.createObjectNode().put("id", f.id()).put("frame_type", f.frameType())
            .put("mode", f.mode()).put("ts", f.timestampMs());
        String text = utf8(f.payload());
        if (text != null) {
          node.put("payload", text);
        } else {
          node.put("payload", Base64.getEncoder().encodeToString(f.payload())).put("encoding", "base64");
        }
        if (f.correlationId() != null) {
          node.put("correlation_id", f.correlationId());
        }
        line(JSON.writeValueAsString(node));
      } else if ("stdout".equals(f.frameType()) || "stderr".equals(f.frameType())) {
        out.write(f.payload());
        out.flush();
      } else {
        var text = f.text();
        line("[" + f.frameType() + "] " + (text.endsWith("\n") ? text.substring(0, text.length() - 1) : text));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void summary(Summary s) {
    if (json) {
      var node = JSON.createObjectNode().put("version", s.version()).put("last_updated_ms", s.lastUpdatedMs());
      node.set("document", JSON.readTree(s.documentJson()));
      line(JSON.writeValueAsString(node));
    } else {
      line(s.documentJson());
    }
  }

  /** The end of a closed stream: a JSON line, or nothing for people (the caller says it on stderr). */
  void closed(String reason) {
    if (json) {
      line(JSON.writeValueAsString(JSON.createObjectNode().put("closed_reason", reason)));
    }
  }

  private void line(String s) {
    try {
      out.write((s + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
