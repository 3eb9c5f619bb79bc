package io.tributary.testing;

import io.tributary.api.Handle;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;

/**
 * Writes one durable frame ("unheard") into attempt 0 of the handle's execution in plain SQL on
 * the PostgreSQL backend's tables, as an append would, but without any notification: what a
 * reader sees when a notification is lost.
 */
public final class SilentAppend {
  private SilentAppend() {}

  /** Appends the frame at position {@code now << 16} and commits. */
  public static void append(String url, Handle h) throws Exception {
    try (var c = DriverManager.getConnection(url, "postgres", null)) {
      c.setAutoCommit(false);
      long streamId;
      try (var ps = c.prepareStatement(
          "SELECT id FROM tb_stream WHERE kind = 1 AND execution_id = ? AND attempt_index = 0")) {
        ps.setObject(1, h.executionId().uuid());
        try (var rs = ps.executeQuery()) {
          rs.next();
          streamId = rs.getLong(1);
        }
      }
      long pos = System.currentTimeMillis() << 16;
      try (var st = c.prepareStatement(
          "INSERT INTO tb_frame (stream_id, pos, mode, ts_ms, frame_type, payload) VALUES (?, ?, 0, ?, 'log', ?)")) {
        st.setLong(1, streamId);
        st.setLong(2, pos);
        st.setLong(3, pos >> 16);
        st.setBytes(4, "unheard".getBytes(StandardCharsets.UTF_8));
        st.executeUpdate();
      }
      try (var st = c.prepareStatement(
          "UPDATE tb_stream SET last_pos = ?, frame_count = frame_count + 1, durable_retained = durable_retained + 1,"
              + " has_durable = true WHERE id = ?")) {
        st.setLong(1, pos);
        st.setLong(2, streamId);
        st.executeUpdate();
      }
      c.commit();
    }
  }
}
