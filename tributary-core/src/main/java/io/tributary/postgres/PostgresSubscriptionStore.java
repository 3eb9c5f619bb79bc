package io.tributary.postgres;

import io.tributary.api.UnavailableException;
import io.tributary.subscription.Subscription;
import io.tributary.subscription.SubscriptionKeys;
import io.tributary.subscription.SubscriptionLink;
import io.tributary.subscription.SubscriptionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Durable Streams subscriptions in PostgreSQL ({@code V4__subscriptions.sql}). A change to one
 * subscription is {@link #update}: load it under its row lock, let the caller change it, save it,
 * commit; so changes are serialised per subscription across every server on the database.
 *
 * <p>The store does not own the {@link Database}; close that when done. Thread-safe.
 */
public final class PostgresSubscriptionStore implements SubscriptionStore {
  private static final String COLUMNS =
      "id, type, pattern, webhook_url, wake_stream, lease_ttl_ms, description, config, base_url,"
          + " created_at_ms, status, generation, wake_id, holder, lease_expires_ms,"
          + " delivery_due_ms, delivery_attempts, last_error";

  private final Database db;

  public PostgresSubscriptionStore(Database db) {
    this.db = db;
  }

  /** Now in ms, on the database's configured clock. */
  public long nowMs() {
    return db.nowMs();
  }

  /**
   * Inserts a new subscription (its links included).
   *
   * @return false, changing nothing, when one with its id exists
   */
  public boolean insert(Subscription s) {
    return inTransaction(
        "create subscription " + s.id(),
        c -> {
          try (var ps =
              c.prepareStatement(
                  "INSERT INTO tb_ds_subscription (" + COLUMNS + ") VALUES"
                      + " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING")) {
            ps.setString(1, s.id());
            ps.setString(2, s.type().wire());
            ps.setString(3, s.pattern());
            ps.setString(4, s.webhookUrl());
            ps.setString(5, s.wakeStream());
            ps.setLong(6, s.leaseTtlMs());
            ps.setString(7, s.description());
            ps.setString(8, s.config());
            ps.setString(9, s.baseUrl());
            ps.setLong(10, s.createdAtMs());
            bindState(ps, 11, s);
            if (ps.executeUpdate() == 0) {
              return false;
            }
          }
          saveLinks(c, s);
          return true;
        });
  }

  /** The subscription with its links and their tails, read without locking; empty when absent. */
  public Optional<Subscription> find(String id) {
    return inTransaction("read subscription " + id, c -> Optional.ofNullable(load(c, id, false)));
  }

  /**
   * Runs {@code change} on the subscription {@code id} while holding its row lock, then saves it
   * (state columns and links) and commits. {@code change} gets null when there is no such
   * subscription (nothing is saved then); it must not block on anything but this transaction.
   *
   * @return what {@code change} returned
   */
  public <R> R update(String id, Function<Subscription, R> change) {
    return inTransaction(
        "update subscription " + id,
        c -> {
          var s = load(c, id, true);
          var result = change.apply(s);
          if (s != null) {
            save(c, s);
          }
          return result;
        });
  }

  /** Deletes a subscription and its links; false when there was none. */
  public boolean delete(String id) {
    return inTransaction(
        "delete subscription " + id,
        c -> {
          try (var ps = c.prepareStatement("DELETE FROM tb_ds_subscription WHERE id = ?")) {
            ps.setString(1, id);
            return ps.executeUpdate() > 0;
          }
        });
  }

  /** Subscriptions that have a pattern or a link to the stream at {@code path}. */
  public List<Candidate> candidates(String path) {
    return inTransaction(
        "match subscriptions",
        c -> {
          try (var ps =
              c.prepareStatement(
                  "SELECT s.id, s.pattern, l.ds_path IS NOT NULL FROM tb_ds_subscription s"
                      + " LEFT JOIN tb_ds_subscription_stream l ON l.subscription_id = s.id AND l.ds_path = ?"
                      + " WHERE s.pattern IS NOT NULL OR l.ds_path IS NOT NULL")) {
            ps.setString(1, path);
            var out = new ArrayList<Candidate>();
            try (var rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new Candidate(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
              }
            }
            return out;
          }
        });
  }

  /** True when at least one subscription exists; one autocommit query. */
  public boolean anyExist() {
    try (Connection c = db.dataSource().getConnection();
        var st = c.createStatement();
        var rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM tb_ds_subscription)")) {
      return rs.next() && rs.getBoolean(1);
    } catch (SQLException e) {
      throw new UnavailableException("could not look for subscriptions: " + e.getMessage(), true, e);
    }
  }

  /** Unlinks the stream at {@code path} from every subscription (it was deleted). */
  public void unlinkEverywhere(String path) {
    inTransaction(
        "unlink " + path,
        c -> {
          try (var ps = c.prepareStatement("DELETE FROM tb_ds_subscription_stream WHERE ds_path = ?")) {
            ps.setString(1, path);
            return ps.executeUpdate();
          }
        });
  }

  /**
   * Claims up to {@code limit} webhook deliveries due at {@code nowMs}: their due time moves to
   * {@code nowMs + claimMs}, so no other server takes them while this one delivers; a server that
   * dies mid-delivery thus only delays it.
   *
   * @return the claimed subscription ids
   */
  public List<String> claimDueDeliveries(long nowMs, long claimMs, int limit) {
    return ids(
        "claim deliveries",
        "UPDATE tb_ds_subscription SET delivery_due_ms = ? WHERE id IN (SELECT id FROM"
            + " tb_ds_subscription WHERE delivery_due_ms <= ? ORDER BY delivery_due_ms LIMIT ?"
            + " FOR UPDATE SKIP LOCKED) RETURNING id",
        nowMs + claimMs,
        nowMs,
        limit);
  }

  /** Subscriptions whose lease ran out before {@code nowMs}. */
  public List<String> expiredLeases(long nowMs, int limit) {
    return ids(
        "find expired leases",
        "SELECT id FROM tb_ds_subscription WHERE lease_expires_ms < ? LIMIT ?",
        nowMs,
        limit);
  }

  /**
   * Active subscriptions with no open wake and a linked stream whose tail is past its acked
   * position: work a lost append hook (a server that died) would otherwise leave unnoticed. Failed
   * ones wait for their next append.
   */
  public List<String> idleWithPendingWork(int limit) {
    return ids(
        "find pending work",
        "SELECT DISTINCT s.id FROM tb_ds_subscription s"
            + " JOIN tb_ds_subscription_stream l ON l.subscription_id = s.id"
            + " JOIN tb_stream t ON t.kind = 2 AND t.ds_path = l.ds_path AND NOT t.ds_soft_deleted"
            + " WHERE s.wake_id IS NULL AND s.status = 'active' AND t.last_pos > l.acked_pos LIMIT ?",
        limit);
  }

  /**
   * The stored keys; when there are none, stores {@code fresh.get()} first (the first of several
   * servers starting at once wins, and all read its keys).
   */
  public SubscriptionKeys loadOrCreateKeys(Supplier<SubscriptionKeys> fresh) {
    return inTransaction(
        "read subscription keys",
        c -> {
          var k = fresh.get();
          try (var ps =
              c.prepareStatement(
                  "INSERT INTO tb_ds_subscription_key (id, private_key, public_key, token_key)"
                      + " VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            ps.setBytes(1, k.privateKey());
            ps.setBytes(2, k.publicKey());
            ps.setBytes(3, k.tokenKey());
            ps.executeUpdate();
          }
          try (var ps =
                  c.prepareStatement(
                      "SELECT private_key, public_key, token_key FROM tb_ds_subscription_key WHERE id = 1");
              var rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new IllegalStateException("tb_ds_subscription_key has no row after inserting one");
            }
            return new SubscriptionKeys(rs.getBytes(1), rs.getBytes(2), rs.getBytes(3));
          }
        });
  }

  private Subscription load(Connection c, String id, boolean lock) throws SQLException {
    Subscription s;
    try (var ps =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM tb_ds_subscription WHERE id = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        s = read(rs);
      }
    }
    try (var ps =
        c.prepareStatement(
            "SELECT l.ds_path, l.explicit, l.glob, l.acked_pos, l.wake_pos, t.last_pos"
                + " FROM tb_ds_subscription_stream l LEFT JOIN tb_stream t ON t.kind = 2"
                + " AND t.ds_path = l.ds_path AND NOT t.ds_soft_deleted"
                + " WHERE l.subscription_id = ? ORDER BY l.ds_path")) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var path = rs.getString(1);
          s.links()
              .put(
                  path,
                  new SubscriptionLink(
                      path, rs.getBoolean(2), rs.getBoolean(3), rs.getLong(4), nullableLong(rs, 5)));
          var tail = nullableLong(rs, 6);
          if (tail != null) {
            s.tails().put(path, tail);
          }
        }
      }
    }
    return s;
  }

  /**
   * Loads the tails of streams the caller is about to link, into {@code s.tails()}; a stream that
   * does not exist gets none.
   */
  public void loadTails(Subscription s, List<String> paths) {
    inTransaction(
        "read tails",
        c -> {
          try (var ps =
              c.prepareStatement(
                  "SELECT ds_path, last_pos FROM tb_stream WHERE kind = 2 AND ds_path = ANY (?)"
                      + " AND NOT ds_soft_deleted")) {
            ps.setArray(1, c.createArrayOf("text", paths.toArray()));
            try (var rs = ps.executeQuery()) {
              while (rs.next()) {
                s.tails().put(rs.getString(1), rs.getLong(2));
              }
            }
          }
          return null;
        });
  }

  /**
   * Full paths of live named streams starting with {@code prefix}, at most {@code limit}, for
   * linking a new pattern subscription to the streams that already match it.
   */
  public List<String> streamsUnder(String prefix, int limit) {
    return inTransaction(
        "list streams",
        c -> {
          try (var ps =
              c.prepareStatement(
                  "SELECT ds_path FROM tb_stream WHERE kind = 2 AND ds_path LIKE ? ESCAPE '\\'"
                      + " AND NOT ds_soft_deleted ORDER BY ds_path LIMIT ?")) {
            ps.setString(1, prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            ps.setInt(2, limit);
            var out = new ArrayList<String>();
            try (var rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(rs.getString(1));
              }
            }
            return out;
          }
        });
  }

  private static Subscription read(ResultSet rs) throws SQLException {
    var s =
        new Subscription(
            rs.getString(1),
            Subscription.Type.ofWire(rs.getString(2)),
            rs.getString(3),
            rs.getString(4),
            rs.getString(5),
            rs.getLong(6),
            rs.getString(7),
            rs.getString(8),
            rs.getString(9),
            rs.getLong(10));
    s.failed("failed".equals(rs.getString(11)));
    s.generation(rs.getLong(12));
    s.wakeId(rs.getString(13));
    s.holder(rs.getString(14));
    s.leaseExpiresMs(nullableLong(rs, 15));
    s.deliveryDueMs(nullableLong(rs, 16));
    s.deliveryAttempts(rs.getInt(17));
    s.lastError(rs.getString(18));
    return s;
  }

  private static void bindState(PreparedStatement ps, int from, Subscription s) throws SQLException {
    ps.setString(from, s.failed() ? "failed" : "active");
    ps.setLong(from + 1, s.generation());
    ps.setString(from + 2, s.wakeId());
    ps.setString(from + 3, s.holder());
    setLong(ps, from + 4, s.leaseExpiresMs());
    setLong(ps, from + 5, s.deliveryDueMs());
    ps.setInt(from + 6, s.deliveryAttempts());
    ps.setString(from + 7, s.lastError());
  }

  private static void save(Connection c, Subscription s) throws SQLException {
    try (var ps =
        c.prepareStatement(
            "UPDATE tb_ds_subscription SET status = ?, generation = ?, wake_id = ?, holder = ?,"
                + " lease_expires_ms = ?, delivery_due_ms = ?, delivery_attempts = ?, last_error = ?"
                + " WHERE id = ?")) {
      bindState(ps, 1, s);
      ps.setString(9, s.id());
      ps.executeUpdate();
    }
    try (var ps = c.prepareStatement("DELETE FROM tb_ds_subscription_stream WHERE subscription_id = ?")) {
      ps.setString(1, s.id());
      ps.executeUpdate();
    }
    saveLinks(c, s);
  }

  private static void saveLinks(Connection c, Subscription s) throws SQLException {
    if (s.links().isEmpty()) {
      return;
    }
    try (var ps =
        c.prepareStatement(
            "INSERT INTO tb_ds_subscription_stream"
                + " (subscription_id, ds_path, explicit, glob, acked_pos, wake_pos) VALUES (?,?,?,?,?,?)")) {
      for (var link : s.links().values()) {
        ps.setString(1, s.id());
        ps.setString(2, link.path());
        ps.setBoolean(3, link.explicit());
        ps.setBoolean(4, link.glob());
        ps.setLong(5, link.ackedPos());
        setLong(ps, 6, link.wakePos());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private List<String> ids(String what, String sql, Object... params) {
    return inTransaction(
        what,
        c -> {
          try (var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
              ps.setObject(i + 1, params[i]);
            }
            var out = new ArrayList<String>();
            try (var rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(rs.getString(1));
              }
            }
            return out;
          }
        });
  }

  @FunctionalInterface
  private interface Work<R> {
    R run(Connection c) throws SQLException;
  }

  private <R> R inTransaction(String what, Work<R> work) {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        var result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new UnavailableException("could not " + what + ": " + e.getMessage(), true, e);
    }
  }

  private static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static void setLong(PreparedStatement ps, int index, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, v);
    }
  }
}
