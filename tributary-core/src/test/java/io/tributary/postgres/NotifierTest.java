package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testing.EmbeddedPostgres;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The in-memory fan-out of {@link Notifier} (registration, wake, bounded map). */
class NotifierTest {
  private static Database db;

  @BeforeAll
  static void open() {
    db =
        Database.open(
            StoreConfig.builder(EmbeddedPostgres.createDatabase("notifier"))
                .user("postgres")
                .tailRecheckInterval(Duration.ofSeconds(30))
                .build());
    // the first LISTEN wakes every waiter (a legitimate spurious wake); start after it
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(db.notifier()::isListening);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  @DisplayName("wakeLocal wakes every waiter of that stream and no other; closing deregisters")
  void wakeAndDeregister() throws InterruptedException {
    var n = db.notifier();
    try (var a1 = n.register(1); var a2 = n.register(1); var b = n.register(2)) {
      assertThat(n.watchedStreams()).isEqualTo(2);
      n.wakeLocal(1);
      assertThat(a1.await(1_000_000)).isTrue();
      assertThat(a2.await(1_000_000)).isTrue();
      assertThat(b.await(1_000_000)).isFalse();
      // several wakes before a re-query collapse into one
      n.wakeLocal(2);
      n.wakeLocal(2);
      assertThat(b.await(1_000_000)).isTrue();
      assertThat(b.await(1_000_000)).isFalse();
    }
    assertThat(n.watchedStreams()).isZero();
  }

  /** A map that runs a hook right after computeIfAbsent returns (to replay a thread interleaving). */
  @SuppressWarnings("serial")
  private static final class InterleavingMap<K, V> extends ConcurrentHashMap<K, V> {
    volatile Runnable afterComputeIfAbsent;

    InterleavingMap(Map<K, V> initial) {
      super(initial);
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> f) {
      V v = super.computeIfAbsent(key, f);
      var hook = afterComputeIfAbsent;
      if (hook != null) {
        afterComputeIfAbsent = null;
        hook.run();
      }
      return v;
    }
  }

  @Test
  @DisplayName(
      "§7.9 (deterministic interleaving) register finds the stream's set, the last other waiter leaves,"
          + " the new waiter must still be woken")
  void registerInterleavedWithLastDeregister() throws Exception {
    var n = db.notifier();
    Field field;
    try {
      field = Notifier.class.getDeclaredField("waiters");
      field.setAccessible(true);
      Assumptions.assumeTrue(field.get(n) instanceof ConcurrentHashMap<?, ?>, "waiters is a ConcurrentHashMap");
    } catch (ReflectiveOperationException | RuntimeException e) {
      Assumptions.abort("Notifier internals changed: " + e);
      return;
    }
    @SuppressWarnings("unchecked")
    var original = (ConcurrentHashMap<Long, Set<Waiter>>) field.get(n);
    var map = new InterleavingMap<>(original);
    field.set(n, map);
    try {
      long stream = 777;
      var other = n.register(stream);
      // thread A: register(stream) looks up the existing set; thread B: other.close() runs now
      map.afterComputeIfAbsent = other::close;
      try (var w = n.register(stream)) {
        n.wakeLocal(stream);
        assertThat(w.await(1)).as("the new waiter is reachable from the map and was woken").isTrue();
      }
      other.close(); // no-op when the interleaving already closed it
      assertThat(n.watchedStreams()).isZero();
    } finally {
      field.set(n, original);
    }
  }

  @Test
  @DisplayName(
      "§7.9 a waiter registered while another waiter of the same stream deregisters is still woken"
          + " (no registration is lost to the remove-empty-set race)")
  void registerRacesWithDeregister() throws Exception {
    var n = db.notifier();
    long stream = 4242;
    var stop = new AtomicBoolean();
    Runnable churner =
        () -> {
          while (!stop.get()) {
            n.register(stream).close();
          }
        };
    var churn = Thread.ofPlatform().start(churner);
    var churn2 = Thread.ofPlatform().start(churner);
    var lost = new AtomicLong();
    long rounds = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(Long.getLong("notifierRaceSeconds", 2)).toNanos();
    try {
      while (System.nanoTime() < deadline && lost.get() == 0) {
        rounds++;
        try (var w = n.register(stream)) {
          n.wakeLocal(stream);
          if (!w.await(1)) {
            lost.incrementAndGet();
          }
        }
      }
    } finally {
      stop.set(true);
      churn.join();
      churn2.join();
    }
    assertThat(lost.get())
        .as("registrations that missed a wake after %d rounds (a lost waiter sleeps until the re-check interval)", rounds)
        .isZero();
    assertThat(n.watchedStreams()).isZero();
  }
}
