package io.tributary.protocol.ds.subscription;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresSubscriptionStore;
import io.tributary.postgres.StoreConfig;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.protocol.ds.DurableStreamsConfig;
import io.tributary.protocol.ds.DurableStreamsHandler;
import io.tributary.subscription.Subscription;
import io.tributary.subscription.SubscriptionKeys;
import io.tributary.subscription.SubscriptionStore;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A server without subscriptions evaluates no append (no query per append), and still owes every
 * subscription made later what it would have been owed: made on this server at once, made on
 * another server of the same database by the next poll.
 */
class AppendsWithoutSubscriptionsTest {
  private static final AtomicInteger databases = new AtomicInteger();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (var c : open.reversed()) {
      c.close();
    }
  }

  /** One server's subscription side on {@code db}, its store counting the queries it is asked. */
  private final class Server {
    final CountingStore store;
    final Subscriptions subscriptions;
    final DurableStreamsHandler handler;

    Server(Database db, Duration poll) {
      var named = new PostgresNamedStreamStore(db);
      store = new CountingStore(new PostgresSubscriptionStore(db));
      var c = SubscriptionFixture.CONFIG;
      subscriptions =
          Subscriptions.start(
              store,
              named,
              new SubscriptionConfig(c.allowedTargets(), c.maxAttempts(), c.retryBase(), c.requestTimeout(), poll));
      open.add(subscriptions);
      handler =
          new DurableStreamsHandler(
              named, null, DurableStreamsConfig.withLongPollTimeout(Duration.ofMillis(300)), subscriptions);
    }

    HttpResponse.Full call(String method, String path, String body) {
      var h = HttpHeaders.of("Content-Type", "application/json", "Host", SubscriptionFixture.HOST);
      var bytes = body == null ? new byte[0] : body.getBytes(UTF_8);
      return (HttpResponse.Full) handler.handle(new HttpRequest(method, "/v1/stream/" + path, "", h, bytes));
    }

    /** Waits until this server has asked the database and holds appends back. */
    void awaitHolding() {
      await().atMost(Duration.ofSeconds(10)).until(subscriptions::holdsAppends);
    }

    String wakes(String wakeStream) {
      return new String(call("GET", wakeStream, null).body(), UTF_8);
    }
  }

  private Database database() {
    var db =
        Database.open(
            StoreConfig.builder(EmbeddedPostgres.createDatabase("subscription_unchecked_" + databases.incrementAndGet()))
                .user("postgres")
                .poolSize(6)
                .build());
    open.add(db);
    return db;
  }

  private static String pullWake(String pattern, String wakeStream) {
    return "{\"type\":\"pull-wake\",\"pattern\":\"" + pattern + "\",\"wake_stream\":\"" + wakeStream
        + "\",\"lease_ttl_ms\":1000}";
  }

  @Test
  void appendsWhileNoSubscriptionExistsCostNoMatchQuery() {
    var a = new Server(database(), Duration.ofMillis(100));
    a.awaitHolding();
    assertThat(a.call("PUT", "quiet/s", "[]").status()).isEqualTo(201);
    for (int i = 0; i < 50; i++) {
      assertThat(a.call("POST", "quiet/s", "{\"i\":" + i + "}").status()).isEqualTo(204);
    }
    int asked = a.store.anyExist.get();
    // two more polls: the held appends were answered "none" and dropped, not evaluated late
    await().atMost(Duration.ofSeconds(10)).until(() -> a.store.anyExist.get() >= asked + 2);
    assertThat(a.store.candidates.get()).isZero();
    assertThat(a.subscriptions.holdsAppends()).isTrue();
  }

  @Test
  void aSubscriptionCreatedAfterAppendsSeesLaterAppends() {
    var a = new Server(database(), Duration.ofMillis(100));
    a.awaitHolding();
    assertThat(a.call("PUT", "late/old", "[{\"before\":1}]").status()).isEqualTo(201);
    assertThat(a.call("POST", "late/old", "{\"before\":2}").status()).isEqualTo(204);
    assertThat(a.call("PUT", "late-wakes", "[]").status()).isEqualTo(201);

    assertThat(a.call("PUT", "__ds/subscriptions/late", pullWake("late/*", "late-wakes")).status()).isEqualTo(201);
    assertThat(a.subscriptions.holdsAppends()).isFalse();
    // made before the subscription: not pending (it starts at the tails), so no wake yet
    assertThat(a.wakes("late-wakes")).doesNotContain("\"subscription_id\":\"late\"");

    assertThat(a.call("POST", "late/old", "{\"after\":1}").status()).isEqualTo(204);
    assertThat(a.call("PUT", "late/new", "[{\"after\":2}]").status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.wakes("late-wakes").contains("\"subscription_id\":\"late\""));
    assertThat(a.store.candidates.get()).isPositive();
    var claimed =
        SubscriptionFixture.json(a.call("POST", "__ds/subscriptions/late/claim", "{\"worker\":\"w\"}"));
    assertThat(SubscriptionFixture.stream(claimed, "late/old").get("has_pending").asBoolean()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> linked(a, "late", "late/new") != null);
  }

  /** Server {@code unaware} holds appends back; {@code maker} then made subscription {@code name}. */
  private record TwoServers(Server unaware, Server maker) {}

  /**
   * Two servers on one database; the pull-wake subscription {@code name} (pattern {@code name/*},
   * wake stream {@code name-wakes}) made on the second after the first found none.
   */
  private TwoServers subscriptionMadeElsewhere(String name) {
    var db = database();
    // a long poll, so that appends right after this are certainly held back by the unaware server
    var a = new Server(db, Duration.ofSeconds(3));
    var b = new Server(db, Duration.ofMillis(100));
    a.awaitHolding();
    assertThat(b.call("PUT", name + "-wakes", "[]").status()).isEqualTo(201);
    assertThat(b.call("PUT", "__ds/subscriptions/" + name, pullWake(name + "/*", name + "-wakes")).status())
        .isEqualTo(201);
    return new TwoServers(a, b);
  }

  private static JsonNode linked(Server server, String subscription, String stream) {
    return SubscriptionFixture.stream(
        SubscriptionFixture.json(server.call("GET", "__ds/subscriptions/" + subscription, null)), stream);
  }

  @Test
  void aSubscriptionMadeOnAnotherServerGetsTheAppendsThisServerHeldBack() {
    var servers = subscriptionMadeElsewhere("other");
    var a = servers.unaware();
    var b = servers.maker();

    // created after the subscription, on the server that does not know of it yet
    assertThat(a.call("PUT", "other/s", "[{\"x\":1}]").status()).isEqualTo(201);
    assertThat(a.subscriptions.holdsAppends()).isTrue();
    assertThat(a.store.candidates.get()).isZero();

    // a's next poll finds the subscription and evaluates the held append: the stream is linked
    // and the wake opens (b never saw that append)
    await().atMost(Duration.ofSeconds(15)).until(() -> b.wakes("other-wakes").contains("\"subscription_id\":\"other\""));
    assertThat(a.store.candidates.get()).isPositive();
    assertThat(a.subscriptions.holdsAppends()).isFalse();
    assertThat(linked(b, "other", "other/s").get("has_pending").asBoolean()).isTrue();
  }

  @Test
  void aDeletedStreamsHeldAppendIsNotEvaluated() {
    var servers = subscriptionMadeElsewhere("gone");
    for (var method : new String[] {"PUT", "DELETE"}) {
      var answer = servers.unaware().call(method, "gone/s", method.equals("PUT") ? "[{\"x\":1}]" : null);
      assertThat(answer.status()).isEqualTo(method.equals("PUT") ? 201 : 204);
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> !servers.unaware().subscriptions.holdsAppends());
    // the delete was evaluated, the held append of the deleted stream dropped: nothing links it
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
        .until(() -> linked(servers.maker(), "gone", "gone/s") == null);
    assertThat(servers.maker().wakes("gone-wakes")).doesNotContain("\"subscription_id\":\"gone\"");
  }

  /** The PostgreSQL store, counting how often the worker asks it the per-append questions. */
  private static final class CountingStore implements SubscriptionStore {
    final AtomicInteger candidates = new AtomicInteger();
    final AtomicInteger anyExist = new AtomicInteger();
    private final SubscriptionStore store;

    CountingStore(SubscriptionStore store) {
      this.store = store;
    }

    @Override
    public List<Candidate> candidates(String path) {
      candidates.incrementAndGet();
      return store.candidates(path);
    }

    @Override
    public boolean anyExist() {
      anyExist.incrementAndGet();
      return store.anyExist();
    }

    @Override
    public long nowMs() {
      return store.nowMs();
    }

    @Override
    public boolean insert(Subscription s) {
      return store.insert(s);
    }

    @Override
    public Optional<Subscription> find(String id) {
      return store.find(id);
    }

    @Override
    public <R> R update(String id, Function<Subscription, R> change) {
      return store.update(id, change);
    }

    @Override
    public boolean delete(String id) {
      return store.delete(id);
    }

    @Override
    public void unlinkEverywhere(String path) {
      store.unlinkEverywhere(path);
    }

    @Override
    public List<String> claimDueDeliveries(long nowMs, long claimMs, int limit) {
      return store.claimDueDeliveries(nowMs, claimMs, limit);
    }

    @Override
    public List<String> expiredLeases(long nowMs, int limit) {
      return store.expiredLeases(nowMs, limit);
    }

    @Override
    public List<String> idleWithPendingWork(int limit) {
      return store.idleWithPendingWork(limit);
    }

    @Override
    public SubscriptionKeys loadOrCreateKeys(Supplier<SubscriptionKeys> fresh) {
      return store.loadOrCreateKeys(fresh);
    }

    @Override
    public void loadTails(Subscription s, List<String> paths) {
      store.loadTails(s, paths);
    }

    @Override
    public List<String> streamsUnder(String prefix, int limit) {
      return store.streamsUnder(prefix, limit);
    }
  }
}
