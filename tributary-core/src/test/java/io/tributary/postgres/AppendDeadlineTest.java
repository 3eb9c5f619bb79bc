package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.AppendOutcome;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.StreamCursor;
import io.tributary.api.UnavailableException;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Appends fail at their own deadline (counted from when they were queued) when the group
 * committer cannot get a connection, and a failed append was not stored. The pool is held empty
 * by the test, so the committer's batch waits for a connection exactly as during an outage that
 * the probe has not noticed yet.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppendDeadlineTest {
  private static final Duration DB_TIMEOUT = Duration.ofMillis(1_000);
  /** Scheduling slack on a shared 2-core machine; bounds only, never lower bounds. */
  private static final long SLACK_MS = 1_000;

  @Test
  void appendsQueuedBehindABatchWithoutAConnectionFailByTheirOwnDeadline() throws Exception {
    var url = EmbeddedPostgres.createDatabase("append_deadline");
    var config = StoreConfig.builder(url).user("postgres").poolSize(1).dbTimeout(DB_TIMEOUT).build();
    try (var store = PostgresStreamStore.open(config)) {
      var handle = store.startAttempt(ExecutionId.random(0), Duration.ofMinutes(1));
      var held = store.database().dataSource().getConnection();
      List<Timed> timed = new ArrayList<>();
      try {
        // the first batch waits for the only connection; the rest queue up behind it, later
        for (int i = 0; i < 4; i++) {
          long queuedAt = System.nanoTime();
          timed.add(Timed.of(store.appendAsync(handle, Frame.of("log", "lost-" + i)), queuedAt));
          Thread.sleep(300);
        }
        for (var t : timed) {
          var e = t.awaitFailure();
          assertThat(e).isInstanceOf(UnavailableException.class);
          assertThat(((UnavailableException) e).retryable()).isTrue();
          assertThat(e.getMessage()).contains("not stored");
          assertThat(t.tookMs()).isLessThanOrEqualTo(DB_TIMEOUT.toMillis() + SLACK_MS);
        }
      } finally {
        held.close();
      }
      var ok = store.append(handle, Frame.of("log", "kept"));
      assertThat(ok.frameCount()).isEqualTo(1);
      var frames = store.read(handle.executionId(), 0, StreamCursor.START, StreamCursor.END, 100);
      assertThat(frames.frames()).extracting(f -> new String(f.payload())).containsExactly("kept");
    }
  }

  @Test
  void theSynchronousAppendThrowsTheRetryableUnavailable() throws Exception {
    var url = EmbeddedPostgres.createDatabase("append_deadline_sync");
    var config = StoreConfig.builder(url).user("postgres").poolSize(1).dbTimeout(DB_TIMEOUT).build();
    try (var store = PostgresStreamStore.open(config)) {
      var handle = store.startAttempt(ExecutionId.random(0), Duration.ofMinutes(1));
      try (var held = store.database().dataSource().getConnection()) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> store.append(handle, Frame.of("log", "x")))
            .isInstanceOf(UnavailableException.class)
            .hasMessageContaining("not stored");
        assertThat((System.nanoTime() - t0) / 1_000_000)
            .isLessThanOrEqualTo(DB_TIMEOUT.toMillis() + SLACK_MS);
      }
    }
  }

  /** An append's future, when it was queued and when it completed. */
  private record Timed(CompletableFuture<AppendOutcome> future, long queuedAt, AtomicLong doneAt) {
    static Timed of(CompletableFuture<AppendOutcome> f, long queuedAt) {
      var done = new AtomicLong();
      f.whenComplete((r, e) -> done.set(System.nanoTime()));
      return new Timed(f, queuedAt, done);
    }

    Throwable awaitFailure() throws Exception {
      try {
        future.get(30, TimeUnit.SECONDS);
        throw new AssertionError("the append succeeded without a connection");
      } catch (ExecutionException e) {
        return e.getCause();
      }
    }

    long tookMs() {
      return (doneAt.get() - queuedAt) / 1_000_000;
    }
  }
}
