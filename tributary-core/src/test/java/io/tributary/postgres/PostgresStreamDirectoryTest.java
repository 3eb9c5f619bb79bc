package io.tributary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.ExecutionInfo;
import io.tributary.api.ExecutionQuery;
import io.tributary.api.Frame;
import io.tributary.api.Handle;
import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamListing;
import io.tributary.api.NamedStreamSpec;
import io.tributary.api.Page;
import io.tributary.api.StreamMode;
import io.tributary.api.ValidationException;
import io.tributary.testing.EmbeddedPostgres;
import io.tributary.testing.SettableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery over a real PostgreSQL: order, filters, cursors, lookups, named-stream prefixes. */
class PostgresStreamDirectoryTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private final SettableClock clock = new SettableClock(1_800_000_000_000L);
  private Database db;
  private PostgresStreamStore store;
  private PostgresNamedStreamStore named;
  private PostgresStreamDirectory directory;

  @BeforeEach
  void open() {
    var url = EmbeddedPostgres.createDatabase("directory_" + System.nanoTime());
    db = Database.open(StoreConfig.builder(url).user("postgres").poolSize(4).clock(clock).build());
    store = new PostgresStreamStore(db);
    named = new PostgresNamedStreamStore(db);
    directory = new PostgresStreamDirectory(db);
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  private static final Comparator<ExecutionInfo> NEWEST_FIRST =
      Comparator.comparingLong(ExecutionInfo::createdAtMs)
          .thenComparing(e -> e.executionId().uuid().toString())
          .thenComparingInt(e -> e.executionId().partition())
          .reversed();

  private <T> List<T> everyPage(Function<String, Page<T>> pageAfter, int limit) {
    var all = new ArrayList<T>();
    String cursor = null;
    do {
      var page = pageAfter.apply(cursor);
      assertThat(page.items().size()).isLessThanOrEqualTo(limit);
      all.addAll(page.items());
      cursor = page.next();
    } while (cursor != null);
    return all;
  }

  @Test
  void listsExecutionsNewestFirstAndPagesThroughThemOnce() {
    var started = new ArrayList<ExecutionId>();
    for (int i = 0; i < 23; i++) {
      var id = ExecutionId.random(i % 3);
      store.startAttempt(id, LEASE);
      started.add(id);
      if (i % 4 != 0) {
        clock.advance(1); // some share a millisecond: ties go by id
      }
    }
    var all = everyPage(c -> directory.executions(new ExecutionQuery(ExecutionQuery.State.ALL, null, 5, c)), 5);
    assertThat(all).extracting(ExecutionInfo::executionId).containsExactlyInAnyOrderElementsOf(started);
    assertThat(all).isSortedAccordingTo(NEWEST_FIRST);
    assertThat(all).allSatisfy(e -> {
      assertThat(e.open()).isTrue();
      assertThat(e.attemptCount()).isEqualTo(1);
      assertThat(e.currentAttempt().attemptIndex()).isZero();
    });
    // the last page is full yet has no next, and limit+1 items make two pages
    assertThat(directory.executions(new ExecutionQuery(ExecutionQuery.State.ALL, null, 23, null)).next()).isNull();
    assertThat(directory.executions(new ExecutionQuery(ExecutionQuery.State.ALL, null, 22, null)).next()).isNotNull();
  }

  @Test
  void filtersByTheCurrentAttemptsStateAndCloseReason() {
    var open = ExecutionId.random(1);
    store.startAttempt(open, LEASE);
    clock.advance(10);
    var succeeded = ExecutionId.random(1);
    store.closeAttempt(store.startAttempt(succeeded, LEASE), CloseReason.ATTEMPT_SUCCESS);
    clock.advance(10);
    var failed = ExecutionId.random(2);
    store.closeAttempt(store.startAttempt(failed, LEASE), CloseReason.ATTEMPT_FAILURE);
    clock.advance(10);
    // closed first, then retried: its current attempt is open again, created time stays the first
    var retried = ExecutionId.random(3);
    long retriedCreated = clock.millis();
    store.closeAttempt(store.startAttempt(retried, LEASE), CloseReason.ATTEMPT_FAILURE);
    clock.advance(10);
    store.startAttempt(retried, LEASE);

    assertThat(ids(ExecutionQuery.State.OPEN, null)).containsExactly(retried, open);
    assertThat(ids(ExecutionQuery.State.CLOSED, null)).containsExactly(failed, succeeded);
    assertThat(ids(ExecutionQuery.State.ALL, null)).containsExactly(retried, failed, succeeded, open);
    assertThat(ids(ExecutionQuery.State.ALL, CloseReason.ATTEMPT_FAILURE)).containsExactly(failed);
    assertThat(ids(ExecutionQuery.State.CLOSED, CloseReason.ATTEMPT_SUCCESS)).containsExactly(succeeded);
    assertThat(ids(ExecutionQuery.State.CLOSED, CloseReason.RECLAIMED)).isEmpty();

    var row = directory.executions(ExecutionQuery.all()).items().getFirst();
    assertThat(row.createdAtMs()).isEqualTo(retriedCreated);
    assertThat(row.attemptCount()).isEqualTo(2);
    assertThat(row.currentAttempt().attemptIndex()).isEqualTo(1);

    // a reclaim closes the current attempt and starts the next: still one row, open
    store.reclaim(open, LEASE);
    assertThat(ids(ExecutionQuery.State.OPEN, null)).containsExactly(retried, open);
    assertThat(directory.execution(open).orElseThrow().attempts())
        .extracting(a -> a.closeReason() == null ? "open" : a.closeReason().wire())
        .containsExactly("reclaimed", "open");
  }

  @Test
  void pagesThroughEachFilter() {
    var failed = new ArrayList<ExecutionId>();
    var open = new ArrayList<ExecutionId>();
    for (int i = 0; i < 15; i++) {
      var id = ExecutionId.random(i % 2);
      var handle = store.startAttempt(id, LEASE);
      if (i % 3 == 0) {
        open.add(id);
      } else {
        store.closeAttempt(handle, i % 3 == 1 ? CloseReason.ATTEMPT_FAILURE : CloseReason.ATTEMPT_SUCCESS);
        if (i % 3 == 1) {
          failed.add(id);
        }
      }
      clock.advance(i % 2);
    }
    var failures = everyPage(c -> directory.executions(new ExecutionQuery(null, CloseReason.ATTEMPT_FAILURE, 2, c)), 2);
    assertThat(failures).extracting(ExecutionInfo::executionId).containsExactlyInAnyOrderElementsOf(failed);
    assertThat(failures).isSortedAccordingTo(NEWEST_FIRST);
    var opens = everyPage(c -> directory.executions(new ExecutionQuery(ExecutionQuery.State.OPEN, null, 2, c)), 2);
    assertThat(opens).extracting(ExecutionInfo::executionId).containsExactlyInAnyOrderElementsOf(open);
    assertThat(everyPage(c -> directory.executions(new ExecutionQuery(ExecutionQuery.State.CLOSED, null, 4, c)), 4))
        .hasSize(10).isSortedAccordingTo(NEWEST_FIRST);
  }

  private List<ExecutionId> ids(ExecutionQuery.State state, CloseReason reason) {
    return directory.executions(new ExecutionQuery(state, reason, 50, null)).items().stream()
        .map(ExecutionInfo::executionId).toList();
  }

  @Test
  void looksAnExecutionUpWithEveryAttemptsCounters() {
    var id = ExecutionId.random(7);
    long created = clock.millis();
    Handle first = store.startAttempt(id, LEASE);
    store.append(first, Frame.of("log", "hello"));
    clock.advance(5);
    store.append(first, Frame.of("progress", "{\"pct\":10}").withMode(StreamMode.durableSummary()));
    long lastAppend = clock.millis();
    store.closeAttempt(first, CloseReason.ATTEMPT_FAILURE);
    clock.advance(100);
    var second = store.startAttempt(id, Duration.ofSeconds(60));

    var detail = directory.execution(id).orElseThrow();
    assertThat(detail.execution().createdAtMs()).isEqualTo(created);
    assertThat(detail.execution().attemptCount()).isEqualTo(2);
    assertThat(detail.execution().currentAttempt().attemptIndex()).isEqualTo(1);
    assertThat(detail.attempts()).hasSize(2);
    var a0 = detail.attempts().get(0);
    assertThat(a0.attemptIndex()).isZero();
    assertThat(a0.closed()).isTrue();
    assertThat(a0.closeReason()).isEqualTo(CloseReason.ATTEMPT_FAILURE);
    assertThat(a0.frameCount()).isEqualTo(2);
    assertThat(a0.totalBytes()).isEqualTo(5 + "{\"pct\":10}".length());
    assertThat(a0.summaryVersion()).isEqualTo(1L);
    assertThat(a0.lastAppendAtMs()).isEqualTo(lastAppend);
    assertThat(a0.leaseEpoch()).isEqualTo(first.leaseEpoch());
    var a1 = detail.attempts().get(1);
    assertThat(a1.open()).isTrue();
    assertThat(a1.closeReason()).isNull();
    assertThat(a1.frameCount()).isZero();
    assertThat(a1.summaryVersion()).isNull();
    assertThat(a1.lastAppendAtMs()).isNull();
    assertThat(a1.leaseExpiresAtMs()).isEqualTo(second.leaseExpiresAtMs());
    assertThat(a1.createdAtMs()).isEqualTo(clock.millis());

    assertThat(directory.execution(ExecutionId.random(7))).isEmpty();
  }

  @Test
  void refusesBadCursorsAndLimits() {
    assertThatThrownBy(() -> directory.executions(ExecutionQuery.all().after("garbage")))
        .isInstanceOf(ValidationException.class).hasMessageContaining("not a cursor");
    assertThatThrownBy(() -> directory.executions(ExecutionQuery.all().after("s1.L3YxL3N0cmVhbQ")))
        .as("a stream cursor is no execution cursor").isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> directory.namedStreams(null, 10, "e1.MTIz"))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> new ExecutionQuery(ExecutionQuery.State.ALL, null, 501, null))
        .isInstanceOf(ValidationException.class).hasMessageContaining("limit must be 1..500");
    assertThatThrownBy(() -> new ExecutionQuery(ExecutionQuery.State.OPEN, CloseReason.ATTEMPT_SUCCESS, 5, null))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> directory.namedStreams(null, 0, null)).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> ExecutionQuery.State.parse("running")).hasMessageContaining("open, closed or all");
  }

  @Test
  void listsNamedStreamsByPrefixInPathOrder() {
    for (var path : List.of("/v1/stream/a", "/v1/stream/a/1", "/v1/stream/a/2", "/v1/stream/a0",
        "/v1/stream/ab", "/v1/stream/b/x", "/v1/stream/a/\u00e9", "/v1/stream/a/z")) {
      named.create(path, NamedStreamSpec.of("text/plain"));
    }
    named.append("/v1/stream/a/1", NamedStreamAppend.of("text/plain", "hello".getBytes(StandardCharsets.UTF_8)));
    named.create("/v1/stream/a/gone", NamedStreamSpec.of("text/plain"));
    named.delete("/v1/stream/a/gone");

    var underA = everyPage(c -> directory.namedStreams("/v1/stream/a/", 2, c), 2);
    assertThat(underA).extracting(NamedStreamListing::path)
        .containsExactly("/v1/stream/a/1", "/v1/stream/a/2", "/v1/stream/a/z", "/v1/stream/a/\u00e9");
    var one = underA.getFirst();
    assertThat(one.frameCount()).isEqualTo(1);
    assertThat(one.totalBytes()).isEqualTo(5);
    assertThat(one.contentType()).isEqualTo("text/plain");
    assertThat(one.closed()).isFalse();
    assertThat(one.expiresAtMs()).isNull();
    assertThat(one.createdAtMs()).isEqualTo(clock.millis());

    assertThat(everyPage(c -> directory.namedStreams("/v1/stream/a", 3, c), 3)).extracting(NamedStreamListing::path)
        .containsExactly("/v1/stream/a", "/v1/stream/a/1", "/v1/stream/a/2", "/v1/stream/a/z",
            "/v1/stream/a/\u00e9", "/v1/stream/a0", "/v1/stream/ab");
    assertThat(everyPage(c -> directory.namedStreams(null, 500, c), 500)).hasSize(8);
    assertThat(directory.namedStreams("/v1/stream/c", 10, null).items()).isEmpty();
  }

  @Test
  void namedStreamsShowTheirExpiry() {
    named.create("/v1/stream/ttl", new NamedStreamSpec("text/plain", 60L, null, false, List.of(), null));
    var listed = directory.namedStreams("/v1/stream/ttl", 10, null).items();
    assertThat(listed).singleElement().satisfies(s -> assertThat(s.expiresAtMs()).isEqualTo(clock.millis() + 60_000));
    clock.advance(61_000);
    assertThat(directory.namedStreams("/v1/stream/ttl", 10, null).items()).as("expired").isEmpty();
  }

  @Test
  void prefixUpperBoundIsTheNextCodePoint() {
    assertThat(PrefixRange.upperBound("")).isNull();
    assertThat(PrefixRange.upperBound("/a/")).isEqualTo("/a0");
    assertThat(PrefixRange.upperBound("x\uD7FF")).isEqualTo("x\uE000");
    assertThat(PrefixRange.upperBound("x" + Character.toString(Character.MAX_CODE_POINT))).isEqualTo("y");
  }
}
