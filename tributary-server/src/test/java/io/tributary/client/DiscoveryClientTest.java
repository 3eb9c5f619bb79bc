package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.TributaryServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SDK's discovery calls against a real server with auth on. */
class DiscoveryClientTest {
  private static final String ADMIN = "sdk-discovery-admin";
  private static TributaryServer server;
  private static TributaryClient client;
  private static final List<String> created = new ArrayList<>();
  private static String failed;

  @BeforeAll
  static void start() throws Exception {
    server = Servers.start(Servers.newDatabase(), b -> b.authToken(ADMIN));
    client = TributaryClient.builder(server.baseUrl()).token(ADMIN).giveUpAfter(Duration.ofSeconds(30)).build();
    for (int i = 0; i < 5; i++) {
      String id = client.mintExecution();
      var attempt = client.startAttempt(id, Duration.ofSeconds(30));
      attempt.append(NewFrame.durable("log", "line " + i));
      if (i == 2) {
        attempt.patchSummary("{\"pct\":50}");
        attempt.close(CloseReason.ATTEMPT_FAILURE);
        failed = id;
      } else if (i % 2 == 1) {
        attempt.close(CloseReason.ATTEMPT_SUCCESS);
      }
      created.add(0, id);
      Thread.sleep(2);
    }
    client.namedStream("sdk/one").create("text/plain", null);
    client.namedStream("sdk/two").create("text/plain", null);
    client.namedStream("elsewhere").create("text/plain", null);
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void pagesThroughExecutionsNewestFirst() {
    var seen = new ArrayList<String>();
    String after = null;
    do {
      var page = client.executions(ExecutionState.ALL, null, 2, after);
      assertThat(page.items().size()).isLessThanOrEqualTo(2);
      page.items().forEach(e -> seen.add(e.executionId()));
      after = page.nextCursor().orElse(null);
    } while (after != null);
    assertThat(seen).containsExactlyElementsOf(created);

    var open = client.executions(ExecutionState.OPEN, null, 50, null).items();
    assertThat(open).extracting(ExecutionSummary::executionId)
        .containsExactly(created.get(0), created.get(4));
    assertThat(open).allSatisfy(e -> assertThat(e.open()).isTrue());
    var failures = client.executions(null, "attempt_failure", 50, null).items();
    assertThat(failures).singleElement().satisfies(e -> {
      assertThat(e.executionId()).isEqualTo(failed);
      assertThat(e.state()).isEqualTo("closed");
      assertThat(e.closeReason()).isEqualTo("attempt_failure");
      assertThat(e.frameCount()).isEqualTo(2);
      assertThat(e.summaryVersion()).isEqualTo(1L);
      assertThat(e.currentAttemptIndex()).isZero();
      assertThat(e.attemptCount()).isEqualTo(1);
      assertThat(e.lastAppendAtMs()).isPositive();
    });
    assertThatThrownBy(() -> client.executions(ExecutionState.ALL, null, 0, null))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("limit must be an integer in 1..500");
    assertThatThrownBy(() -> client.executions(ExecutionState.ALL, null, 5, "bogus"))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("not a cursor");
  }

  @Test
  void looksUpOneExecutionAndItsAttempts() {
    var details = client.execution(failed).orElseThrow();
    assertThat(details.execution().executionId()).isEqualTo(failed);
    assertThat(details.attempts()).singleElement().satisfies(a -> {
      assertThat(a.attemptIndex()).isZero();
      assertThat(a.open()).isFalse();
      assertThat(a.closeReason()).isEqualTo("attempt_failure");
      assertThat(a.leaseEpoch()).isEqualTo(1);
      assertThat(a.totalBytes()).isEqualTo("line 2".length() + "{\"pct\":50}".length());
    });
    assertThat(client.attempts(failed)).isEqualTo(details.attempts());
    String unknown = "{fp:1}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21";
    assertThat(client.execution(unknown)).isEmpty();
    assertThatThrownBy(() -> client.attempts(unknown)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aReadTokenSeesOnlyItsExecution() {
    String token = client.mintReadToken(failed, 0, Duration.ofMinutes(1));
    try (var reader = TributaryClient.builder(server.baseUrl()).token(token).build()) {
      assertThat(reader.execution(failed)).isPresent();
      assertThatThrownBy(() -> reader.execution(created.get(0))).isInstanceOf(AccessDeniedException.class);
      assertThatThrownBy(() -> reader.executions(ExecutionState.ALL, null, 10, null))
          .isInstanceOf(AccessDeniedException.class).hasMessageContaining("admin token");
      assertThatThrownBy(() -> reader.streams(null, 10, null)).isInstanceOf(AccessDeniedException.class);
    }
  }

  @Test
  void listsNamedStreamsByPrefix() {
    var page = client.streams("/v1/stream/sdk/", 1, null);
    assertThat(page.items()).extracting(StreamListing::path).containsExactly("/v1/stream/sdk/one");
    assertThat(page.items().get(0).contentType()).isEqualTo("text/plain");
    assertThat(page.items().get(0).closed()).isFalse();
    var rest = client.streams("/v1/stream/sdk/", 1, page.next());
    assertThat(rest.items()).extracting(StreamListing::path).containsExactly("/v1/stream/sdk/two");
    assertThat(rest.next()).isNull();
    assertThat(client.streams(null, 500, null).items()).hasSize(3);
  }
}
