package io.tributary.server;

import static io.tributary.server.TestServers.json;
import static io.tributary.server.TestServers.request;
import static io.tributary.server.TestServers.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.Database;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Servers on one database accept each other's read tokens: with no key configured they share the
 * key stored in the database, with one configured they share it if it is the same.
 */
class TokenKeySharingTest {
  private static final String ADMIN = "admin-key-sharing";
  private static final String STREAM = "/v1/stream/shared-key";

  @Test
  void serversWithoutAConfiguredKeyShareTheStoredOneAcrossRestarts() throws Exception {
    String db = TestServers.newDatabase("token_key_stored");
    try (var a = start(db, null);
        var b = start(db, null)) {
      createStream(a);
      var fromA = mint(a);
      var fromB = mint(b);
      assertThat(read(b, fromA)).isEqualTo(200);
      assertThat(read(a, fromB)).isEqualTo(200);
      try (var restarted = start(db, null)) {
        assertThat(read(restarted, fromA)).as("the key survives restarts").isEqualTo(200);
      }
    }
  }

  @Test
  void serversWithTheSameConfiguredKeyShareTokensAndAnotherKeyRefusesThem() throws Exception {
    String db = TestServers.newDatabase("token_key_configured");
    byte[] key = "a configured key of at least 32 bytes".getBytes(StandardCharsets.US_ASCII);
    try (var a = start(db, key);
        var b = start(db, key.clone());
        var stored = start(db, null)) {
      createStream(a);
      var fromA = mint(a);
      assertThat(read(b, fromA)).isEqualTo(200);
      var refused = send(request(stored, STREAM + "?offset=-1&access_token=" + fromA).build());
      assertThat(refused.statusCode()).as("signed with another key").isEqualTo(401);
      assertThat(json(refused).get("error").asString()).isEqualTo("invalid token");
      assertThat(read(a, mint(stored))).isEqualTo(401);
    }
  }

  @Test
  void concurrentFirstStartsAgreeOnOneStoredKey() throws Exception {
    String url = TestServers.newDatabase("token_key_race");
    try (var database = Database.open(StoreConfig.builder(url).user("postgres").poolSize(8).build());
        var pool = Executors.newFixedThreadPool(8)) {
      var go = new CountDownLatch(1);
      var loads = new ArrayList<java.util.concurrent.Future<byte[]>>();
      for (int i = 0; i < 8; i++) {
        Callable<byte[]> load = () -> {
          go.await();
          return StoredTokenKey.loadOrCreate(database.dataSource());
        };
        loads.add(pool.submit(load));
      }
      go.countDown();
      var distinct = new HashSet<String>();
      for (var load : loads) {
        var key = load.get();
        assertThat(key).hasSize(StoredTokenKey.KEY_BYTES);
        distinct.add(java.util.HexFormat.of().formatHex(key));
      }
      assertThat(distinct).hasSize(1);
      assertThat(StoredTokenKey.loadOrCreate(database.dataSource()))
          .isEqualTo(java.util.HexFormat.of().parseHex(distinct.iterator().next()));
    }
  }

  private static TributaryServer start(String db, byte[] key) {
    return TestServers.start(db, b -> b.authToken(ADMIN).tokenKey(key));
  }

  private static void createStream(TributaryServer server) throws Exception {
    var created = send(request(server, STREAM).header("Authorization", "Bearer " + ADMIN)
        .header("Content-Type", "text/plain").PUT(BodyPublishers.noBody()).build());
    assertThat(created.statusCode()).isIn(200, 201);
  }

  private static String mint(TributaryServer server) throws Exception {
    var minted = send(request(server, HttpRouter.TOKENS_PATH).header("Authorization", "Bearer " + ADMIN)
        .POST(BodyPublishers.ofString("{\"path\":\"" + STREAM + "\",\"ttl_ms\":60000}")).build());
    assertThat(minted.statusCode()).isEqualTo(201);
    return json(minted).get("token").asString();
  }

  private static int read(TributaryServer server, String token) throws Exception {
    return send(request(server, STREAM + "?offset=-1").header("Authorization", "Bearer " + token).build())
        .statusCode();
  }
}
