package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The web console in a real browser (Debian's chromium, headless) against a real server: the
 * attempt view's scrollback, live tail, close, summary panel, filters, anchors and a 10 000-frame
 * stream; the named-stream view; the executions list (needs the discovery API).
 *
 * <p>The server's SSE responses live 3 s here, so the views also cross reconnects from their last
 * offset while the tests watch them.
 */
class ConsoleBrowserTest {
  private static final Duration SSE_LIFETIME = Duration.ofSeconds(3);
  /** The bound for a new execution to show in the list; the list polls every second. */
  private static final Duration LIST_BOUND = Duration.ofSeconds(2);
  /** Slack on a busy machine for the request and the page's render, on top of the bound. */
  private static final Duration SLACK = Duration.ofMillis(500);

  private static TributaryServer server;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() {
    server =
        TestServers.start(TestServers.newDatabase("console_browser"), b -> b.sseMaxDuration(SSE_LIFETIME));
    browser = HeadlessChromium.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    server.close();
  }

  @AfterEach
  void thePageRaisedNoErrors() {
    assertThat(browser.js("return window.tributaryErrors || []")).as("errors in the page").isEqualTo(List.of());
  }

  // ---- the attempt view

  @Test
  void attemptViewShowsTheScrollbackThenLiveFramesInOrderThenTheClose() throws Exception {
    var attempt = TestServers.startAttempt(server);
    var ids = new ArrayList<String>();
    var texts = new ArrayList<String>();
    for (int i = 1; i <= 3; i++) {
      ids.add(appendText(attempt, "frame_type=log", "before " + i));
      texts.add("before " + i);
    }
    openAttempt(attempt, "");
    awaitRows(3);

    for (int i = 1; i <= 4; i++) {
      ids.add(appendText(attempt, "frame_type=log", "live " + i));
      texts.add("live " + i);
      Thread.sleep(150);
    }
    ids.add(appendText(attempt, "frame_type=progress&mode=summary", "{\"step\":\"test\",\"pct\":60}"));
    texts.add("{\"step\":\"test\",\"pct\":60}");
    ids.add(appendText(attempt, "frame_type=token&mode=best_effort&ttl_ms=60000", "a best-effort token"));
    texts.add("a best-effort token");
    awaitRows(ids.size());
    // past the SSE response's lifetime: the page has reconnected from its offset by now
    Thread.sleep(SSE_LIFETIME.toMillis() + 500);
    ids.add(appendText(attempt, "frame_type=log", "after a reconnect"));
    texts.add("after a reconnect");
    awaitRows(ids.size());

    assertThat(rowIds()).containsExactlyElementsOf(ids);
    assertThat(rowTexts()).containsExactlyElementsOf(texts);
    for (String id : ids) {
      var link = browser.driver().findElement(By.cssSelector(".frame-row[data-id='" + id + "'] a.frame-link"));
      assertThat(link.getAttribute("href")).endsWith("#f-" + id);
    }
    assertThat(browser.driver().findElements(By.cssSelector(".frame-row.mode-best_effort .frame-text")))
        .extracting(WebElement::getText)
        .containsExactly("a best-effort token");

    close(attempt, "attempt_success");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !browser.driver().findElements(By.cssSelector(".frame-row.marker-close")).isEmpty());
    assertThat(browser.driver().findElement(By.cssSelector(".frame-row.marker-close")).getText())
        .isEqualTo("stream closed: attempt_success");
    await().atMost(Duration.ofSeconds(5))
        .until(() -> text("#stream-state").equals("closed: attempt_success"));
    assertThat(browser.js("return window.tributaryConsole.stats.closeReason()")).isEqualTo("attempt_success");
    assertThat(rowIds()).containsExactlyElementsOf(withClose(ids));
    assertThat(summaryVersion()).isEqualTo("1");
    browser.driver().findElement(By.cssSelector(".frame-row[data-id='" + ids.get(3) + "']")).click();
    assertThat(text("#frame-detail")).contains("live 1");
    browser.screenshot("attempt-view");
  }

  @Test
  void summaryPanelShowsEachNewVersion() throws Exception {
    var attempt = TestServers.startAttempt(server);
    appendText(attempt, "mode=summary", "{\"phase\":\"setup\",\"pct\":0}");
    openAttempt(attempt, "");
    await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(summaryVersion()));
    assertThat(text("#summary-document")).contains("\"phase\": \"setup\"");

    String[][] patches = {
      {"{\"pct\":25}", "\"pct\": 25"},
      {"{\"phase\":\"build\",\"pct\":50,\"step\":{\"name\":\"compile\"}}", "\"name\": \"compile\""},
      {"{\"step\":null,\"pct\":75}", "\"pct\": 75"},
      {"{\"pct\":100,\"result\":\"__ff_null__\"}", "\"result\": null"},
    };
    for (int i = 0; i < patches.length; i++) {
      appendText(attempt, "frame_type=progress&mode=summary", patches[i][0]);
      String version = String.valueOf(i + 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> version.equals(summaryVersion()));
      assertThat(text("#summary-document")).contains(patches[i][1]);
      assertThat(text("#summary-version")).isEqualTo("v" + version);
      Thread.sleep(400);
    }
    // the server's own document, which the page re-reads after each patch, agrees
    var server = TestServers.json(TestServers.send(TestServers.request(ConsoleBrowserTest.server,
        TestServers.attemptPath(attempt.get("execution_id").asString(), 0) + "/summary").GET().build()));
    assertThat(server.get("version").asLong()).isEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(text("#summary-document")).doesNotContain("step").contains("\"phase\": \"build\"")
            .contains("\"pct\": 100"));
    browser.screenshot("summary-panel");
  }

  @Test
  void filtersByFrameTypeModeAndText() throws Exception {
    var attempt = TestServers.startAttempt(server);
    appendText(attempt, "frame_type=log", "compiling module a");
    appendText(attempt, "frame_type=metric", "cpu=93");
    appendText(attempt, "frame_type=log", "found the NEEDLE here");
    appendText(attempt, "frame_type=metric", "mem=512");
    appendText(attempt, "frame_type=log&mode=best_effort&ttl_ms=60000", "live token needle");
    openAttempt(attempt, "");
    awaitRows(5);

    new Select(browser.driver().findElement(By.id("filter-type"))).selectByValue("metric");
    await().atMost(Duration.ofSeconds(3)).until(() -> rowTexts().equals(List.of("cpu=93", "mem=512")));

    new Select(browser.driver().findElement(By.id("filter-type"))).selectByValue("");
    var search = browser.driver().findElement(By.id("filter-text"));
    search.sendKeys("needle");
    await().atMost(Duration.ofSeconds(3))
        .until(() -> rowTexts().equals(List.of("found the NEEDLE here", "live token needle")));
    assertThat(text("#frame-counter")).isEqualTo("2 of 5 rows");

    new Select(browser.driver().findElement(By.id("filter-mode"))).selectByValue("best_effort");
    await().atMost(Duration.ofSeconds(3)).until(() -> rowTexts().equals(List.of("live token needle")));
    browser.screenshot("filters");

    // a frame appended while a filter is on shows only if it matches
    new Select(browser.driver().findElement(By.id("filter-mode"))).selectByValue("");
    appendText(attempt, "frame_type=log", "no match");
    appendText(attempt, "frame_type=log", "another needle");
    awaitRows(7);
    await().atMost(Duration.ofSeconds(3)).until(() ->
        rowTexts().equals(List.of("found the NEEDLE here", "live token needle", "another needle")));

    search.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
    await().atMost(Duration.ofSeconds(3)).until(() -> rowTexts().size() == 7);
  }

  /**
   * 10 000 frames (the durable cap) through the page: all arrive, the DOM holds only a window of
   * rows, every frame is reachable by scrolling, a filter over all of them answers, an anchor opens
   * its frame. The page's own timings are printed; the bound asserted is loose on purpose: no
   * main-thread task as long as 2 s, i.e. the page never froze.
   */
  @Test
  void tenThousandFramesLoadAndStayResponsive() throws Exception {
    var attempt = TestServers.startAttempt(server);
    int total = 10_000;
    var ids = new ArrayList<String>();
    for (int batch = 0; batch < total / 1000; batch++) {
      var body = new StringBuilder();
      for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
        body.append("{\"frame_type\":\"").append(i % 10 == 0 ? "tick" : "log")
            .append("\",\"payload\":\"line ").append(i).append(" of the big stream\"}\n");
      }
      var r = TestServers.send(
          TestServers.request(server, TestServers.attemptPath(attempt.get("execution_id").asString(), 0) + "/stream/batch")
              .header("Tributary-Handle", attempt.get("handle").asString())
              .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
              .build());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      TestServers.json(r).get("frames").forEach(f -> ids.add(f.get("id").asString()));
    }

    long opened = System.nanoTime();
    openAttempt(attempt, "");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> browser.js("return window.tributaryConsole.stats.caughtUpMs") != null
            && ((Number) browser.js("return window.tributaryConsole.stats.rows()")).intValue() == total);
    long wallMs = (System.nanoTime() - opened) / 1_000_000;
    Thread.sleep(1200); // the page watches frame gaps for a second after catching up
    @SuppressWarnings("unchecked")
    var stats = (Map<String, Object>) browser.js(
        "const s = window.tributaryConsole.stats; return {caughtUpMs: s.caughtUpMs, longTasks: s.longTasks,"
            + " longestTaskMs: s.longestTaskMs, longestFrameGapMs: s.longestFrameGapMs, renderedRows: s.renderedRows(),"
            + " batches: s.batches, longestBatchMs: s.longestBatchMs}");
    System.out.printf(
        "console: %d frames in the page %d ms after navigation (wall %d ms from open); long tasks %s, longest %s ms;"
            + " longest frame gap %s ms; %s SSE batches, the longest taken in %s ms; %s rows in the DOM%n",
        total, stats.get("caughtUpMs"), wallMs, stats.get("longTasks"), stats.get("longestTaskMs"),
        stats.get("longestFrameGapMs"), stats.get("batches"), stats.get("longestBatchMs"), stats.get("renderedRows"));
    assertThat(((Number) stats.get("renderedRows")).intValue()).as("a window of rows, not all").isBetween(1, 200);
    assertThat(((Number) stats.get("longestTaskMs")).longValue()).as("no main-thread task froze the page").isLessThan(2_000);

    // following: the view sits at the end
    await().atMost(Duration.ofSeconds(3)).until(() -> rowTexts().contains("line 9999 of the big stream"));
    // every frame is reachable: scroll to a few places, the rows there are the right ones
    for (int index : new int[] {0, 1234, 5000, 8765, 9999}) {
      browser.js("const s = document.getElementById('frames'); s.scrollTop = arguments[0] * 22;", index);
      String expected = "line " + index + " of the big stream";
      await().atMost(Duration.ofSeconds(3)).until(() -> rowTexts().contains(expected));
      assertThat(rowIds()).contains(ids.get(index));
    }
    browser.screenshot("ten-thousand-frames");

    // a search over all 10 000 answers at once and keeps the page responsive
    long searched = System.nanoTime();
    browser.driver().findElement(By.id("filter-text")).sendKeys("line 7777 ");
    await().atMost(Duration.ofSeconds(3)).until(() -> rowTexts().equals(List.of("line 7777 of the big stream")));
    System.out.printf("console: search over 10 000 frames shown in %d ms%n", (System.nanoTime() - searched) / 1_000_000);

    // the link of a frame opens the page at that frame, selected
    String anchor = ids.get(4321);
    openAttempt(attempt, "#f-" + anchor);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        !browser.driver().findElements(By.cssSelector(".frame-row.selected[data-id='" + anchor + "']")).isEmpty());
    assertThat(browser.js("return window.tributaryConsole.stats.following()")).isEqualTo(false);
    assertThat(text("#frame-detail")).contains("line 4321 of the big stream");
  }

  // ---- named streams

  @Test
  void namedStreamViewShowsLinesLiveAndTheClose() throws Exception {
    String path = "/v1/stream/console/build-log-" + System.nanoTime();
    var created = TestServers.send(TestServers.request(server, path)
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("first line\nsecond ")).build());
    assertThat(created.statusCode()).isEqualTo(201);
    browser.driver().get(server.baseUrl() + "/ui/streams/" + path.substring("/v1/stream/".length()));
    await().atMost(Duration.ofSeconds(10)).until(() -> rowTexts().equals(List.of("first line", "second ")));
    post(path, "text/plain", "line\nthird line\n", false);
    await().atMost(Duration.ofSeconds(10)).until(() -> rowTexts().equals(List.of("first line", "second line", "third line")));
    post(path, "text/plain", "", true);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !browser.driver().findElements(By.cssSelector(".frame-row.marker-close")).isEmpty());
    assertThat(text("#stream-state")).isEqualTo("closed");

    String json = "/v1/stream/console/events-" + System.nanoTime();
    TestServers.send(TestServers.request(server, json)
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.noBody()).build());
    browser.driver().get(server.baseUrl() + "/ui/streams/" + json.substring("/v1/stream/".length()));
    await().atMost(Duration.ofSeconds(10)).until(() -> text("#connection").equals("live"));
    post(json, "application/json", "[{\"type\":\"start\",\"n\":1},{\"type\":\"end\",\"n\":2}]", false);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> rowTexts().equals(List.of("{\"type\":\"start\",\"n\":1}", "{\"type\":\"end\",\"n\":2}")));
    assertThat(browser.js("return [...document.querySelectorAll('.frame-row:not([hidden])')]"
            + ".sort((a, b) => a.dataset.index - b.dataset.index).map(r => r.querySelector('.frame-type').textContent)"))
        .isEqualTo(List.of("start", "end"));
  }

  // ---- the executions list (needs the discovery API: GET /v1/executions, GET /v1/streams)

  @Test
  void aNewExecutionAppearsInTheListWithinTwoSeconds() throws Exception {
    browser.driver().get(server.baseUrl() + "/ui/");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> ((Number) browser.js("return window.tributaryConsole.stats.polls")).intValue() >= 1);
    var attempt = TestServers.startAttempt(server);
    long started = System.nanoTime();
    String id = attempt.get("execution_id").asString();
    await().atMost(LIST_BOUND.plus(SLACK)).pollInterval(Duration.ofMillis(50))
        .until(() -> !browser.driver().findElements(By.cssSelector("tr[data-execution-id='" + id + "']")).isEmpty());
    System.out.printf("console: new execution listed %d ms after it started%n", (System.nanoTime() - started) / 1_000_000);
    // newest first
    assertThat(browser.driver().findElement(By.cssSelector("#executions tbody tr")).getAttribute("data-execution-id"))
        .isEqualTo(id);
  }

  @Test
  void theListShowsStateFramesAndCloseReasonAndOpensTheAttempt() throws Exception {
    var attempt = TestServers.startAttempt(server);
    String id = attempt.get("execution_id").asString();
    for (int i = 0; i < 3; i++) {
      appendText(attempt, "frame_type=log", "step " + i);
    }
    var named = "/v1/stream/console/listed-" + System.nanoTime();
    TestServers.send(TestServers.request(server, named).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString("hello\n")).build());
    browser.driver().get(server.baseUrl() + "/ui/");
    String row = "tr[data-execution-id='" + id + "']";
    await().atMost(Duration.ofSeconds(5)).until(() -> !browser.driver().findElements(By.cssSelector(row)).isEmpty());
    await().atMost(Duration.ofSeconds(5)).until(() -> cells(row).get(1).equals("open") && cells(row).get(3).equals("3"));

    close(attempt, "attempt_failure");
    await().atMost(Duration.ofSeconds(5)).until(() -> cells(row).get(1).equals("closed"));
    assertThat(cells(row).get(6)).isEqualTo("attempt_failure");
    assertThat(cells(row).get(7)).endsWith("s ago");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> !browser.driver().findElements(By.cssSelector("tr[data-path='" + named + "']")).isEmpty());
    browser.screenshot("executions");

    browser.driver().findElement(By.cssSelector(row + " a")).click();
    awaitRows(4);
    assertThat(rowTexts()).containsExactly("step 0", "step 1", "step 2", "stream closed: attempt_failure");
  }

  // ---- auth

  @Test
  void withAuthOnThePageAsksForATokenAndFollowsWithAReadToken() throws Exception {
    String admin = "console-browser-admin-token-0123456789abcdef";
    try (var secured = TestServers.start(TestServers.newDatabase("console_browser_auth"), b -> b.authToken(admin))) {
      var minted = TestServers.send(TestServers.request(secured, "/v1/executions")
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()).build());
      String id = TestServers.json(minted).get("execution_id").asString();
      var started = TestServers.send(TestServers.request(secured,
              "/v1/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts")
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()).build());
      var attempt = TestServers.json(started);
      String handle = attempt.get("handle").asString();
      var append = TestServers.send(TestServers.request(secured, TestServers.attemptPath(id, 0) + "/stream?frame_type=log")
          .header("Authorization", "Bearer " + admin).header("Tributary-Handle", handle)
          .POST(HttpRequest.BodyPublishers.ofString("secret output")).build());
      assertThat(append.statusCode()).isEqualTo(200);

      browser.driver().get(secured.baseUrl() + "/ui/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts/0");
      await().atMost(Duration.ofSeconds(10)).until(() -> browser.driver().findElement(By.id("token-overlay")).isDisplayed());
      browser.screenshot("token-prompt");
      browser.driver().findElement(By.id("token-input")).sendKeys(admin, Keys.ENTER);
      awaitRows(1);
      assertThat(rowTexts()).containsExactly("secret output");
      assertThat(browser.js("return sessionStorage.getItem('tributary.token')")).isEqualTo(admin);

      // a finished SSE response shows in the page's resource timing, with the URL it was opened with
      var closed = TestServers.send(TestServers.request(secured, TestServers.attemptPath(id, 0) + "/close")
          .header("Authorization", "Bearer " + admin).header("Tributary-Handle", handle)
          .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"attempt_success\"}")).build());
      assertThat(closed.statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> text("#stream-state").equals("closed: attempt_success"));

      @SuppressWarnings("unchecked")
      var urls = (List<String>) browser.js("return performance.getEntriesByType('resource').map(e => e.name)");
      assertThat(urls).as("the EventSource carries a minted read token").anyMatch(u -> u.contains("live=sse") && u.contains("access_token=tbr1."));
      assertThat(urls).as("the admin token never goes into a URL").noneMatch(u -> u.contains(admin));
      assertThat(browser.js("return window.tributaryErrors")).isEqualTo(List.of());
      browser.js("sessionStorage.clear()");
    }
  }

  // ---- steps

  private static void openAttempt(JsonNode attempt, String hash) {
    String id = URLEncoder.encode(attempt.get("execution_id").asString(), StandardCharsets.UTF_8);
    browser.driver().get("about:blank");
    browser.driver().get(server.baseUrl() + "/ui/executions/" + id + "/attempts/" + attempt.get("attempt_index").asLong() + hash);
  }

  private static String appendText(JsonNode attempt, String query, String payload) throws Exception {
    var r = TestServers.append(server, attempt, query, payload.getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServers.json(r).get("id").asString();
  }

  private static void close(JsonNode attempt, String reason) throws Exception {
    var r = TestServers.send(
        TestServers.request(server, TestServers.attemptPath(attempt.get("execution_id").asString(), 0) + "/close")
            .header("Tributary-Handle", attempt.get("handle").asString())
            .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"" + reason + "\"}"))
            .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static void post(String path, String contentType, String body, boolean close) throws Exception {
    var request = TestServers.request(server, path).header("Content-Type", contentType);
    if (close) {
      request.header("Stream-Closed", "true");
    }
    var r = TestServers.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertThat(r.statusCode()).as(r.body()).isIn(200, 204);
  }

  private static void awaitRows(int n) {
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          Object rows = browser.js("return window.tributaryConsole && window.tributaryConsole.stats.rows ? window.tributaryConsole.stats.rows() : -1");
          return ((Number) rows).intValue() >= n;
        });
  }

  private static String summaryVersion() {
    return (String) browser.js("return document.getElementById('summary-version').dataset.version || null");
  }

  private static String text(String css) {
    return browser.driver().findElement(By.cssSelector(css)).getText();
  }

  /** The rows in the DOM window, in list order: their data-id. */
  @SuppressWarnings("unchecked")
  private static List<String> rowIds() {
    return (List<String>) browser.js(
        "return [...document.querySelectorAll('.frame-row:not([hidden])')]"
            + ".sort((a, b) => a.dataset.index - b.dataset.index).map(r => r.dataset.id)");
  }

  /** The rows in the DOM window, in list order: the text shown (the marker's text for markers). */
  @SuppressWarnings("unchecked")
  private static List<String> rowTexts() {
    return (List<String>) browser.js(
        "return [...document.querySelectorAll('.frame-row:not([hidden])')]"
            + ".sort((a, b) => a.dataset.index - b.dataset.index)"
            + ".map(r => (r.querySelector('.frame-text') || r.querySelector('.marker-text')).textContent)");
  }

  @SuppressWarnings("unchecked")
  private static List<String> cells(String rowCss) {
    return (List<String>) browser.js(
        "const r = document.querySelector(arguments[0]); return r ? [...r.cells].map(c => c.textContent) : []", rowCss);
  }

  private static List<String> withClose(List<String> ids) {
    var all = new ArrayList<>(ids);
    all.add("close");
    return all;
  }
}
