package io.tributary.server;

import io.tributary.api.UnavailableException;
import java.security.SecureRandom;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The token key kept in the database ({@code tb_token_key}) for servers given none: the first
 * server inserts a random one, every later or concurrent one reads that row, so all servers on a
 * database share it. Read once at start.
 */
final class StoredTokenKey {
  static final int KEY_BYTES = 32;

  private StoredTokenKey() {}

  /**
   * The stored key, created first if there is none.
   *
   * @throws UnavailableException when the database cannot be read
   */
  static byte[] loadOrCreate(DataSource db) {
    var fresh = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(fresh);
    try (var c = db.getConnection()) {
      c.setAutoCommit(true);
      // a concurrent insert makes this one wait, then do nothing; the select then sees the winner
      try (var insert =
          c.prepareStatement(
              "INSERT INTO tb_token_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")) {
        insert.setBytes(1, fresh);
        insert.executeUpdate();
      }
      try (var select = c.prepareStatement("SELECT key FROM tb_token_key WHERE id = 1");
          var rows = select.executeQuery()) {
        if (!rows.next()) {
          throw new IllegalStateException("tb_token_key has no row after inserting one");
        }
        return rows.getBytes(1);
      }
    } catch (SQLException e) {
      throw new UnavailableException(
          "cannot read the token key from the database: " + e.getMessage(), true, e);
    }
  }
}
