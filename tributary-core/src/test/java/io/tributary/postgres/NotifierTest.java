package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.StoreConfig;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
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

  @Test
  @DisplayName(
      "§7.9 a waiter registered while another waiter of the same stream deregisters is still woken"
          + " (no registration is lost to the remove-empty-set race)")
  void registerRacesWithDeregister() throws Exception {
    var n = db.notifier();
    long stream = 4242;
    var stop = new AtomicBoolean();
    var churn =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!stop.get()) {
                    n.register(stream).close();
                  }
                });
    var lost = new AtomicLong();
    long rounds = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
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
    }
    assertThat(lost.get())
        .as("registrations that missed a wake after %d rounds (a lost waiter sleeps until the re-check interval)", rounds)
        .isZero();
    assertThat(n.watchedStreams()).isZero();
  }
}
