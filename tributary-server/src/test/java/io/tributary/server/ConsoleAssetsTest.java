package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files over real HTTP: types, caching, redirects, 404s, no way out of its folder. */
class ConsoleAssetsTest {
  private static final String TOKEN = "console-assets-admin-token-0123456789";
  private static TributaryServer server;
  private static TributaryServer authServer;

  @BeforeAll
  static void start() {
    String db = TestServers.newDatabase("console_assets");
    server = TestServers.start(db, b -> b);
    authServer = TestServers.start(db, b -> b.authToken(TOKEN));
  }

  @AfterAll
  static void stop() {
    authServer.close();
    server.close();
  }

  private static java.net.http.HttpResponse<String> get(TributaryServer s, String path) throws Exception {
    return TestServers.send(TestServers.request(s, path).GET().build());
  }

  @Test
  void rootAndBareUiRedirectToTheConsole() throws Exception {
    for (String path : new String[] {"/", "/ui"}) {
      var r = get(server, path);
      assertThat(r.statusCode()).as(path).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).as(path).hasValue("/ui/");
    }
  }

  @Test
  void thePageShellIsServedForEveryConsolePage() throws Exception {
    for (String path :
        new String[] {"/ui/", "/ui/executions/%7Bfp%3A1%7D%3Aabc/attempts/0", "/ui/streams/chat/42"}) {
      var r = get(server, path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("text/html; charset=utf-8");
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
      assertThat(r.headers().firstValue("Content-Security-Policy")).get().asString().contains("default-src 'self'");
      assertThat(r.body()).contains("<script type=\"module\" src=\"/ui/assets/console.js\">");
    }
  }

  @Test
  void assetsHaveTheirContentTypesAndRevalidate() throws Exception {
    var js = get(server, "/ui/assets/console.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(js.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(js.body()).contains("import");
    assertThat(get(server, "/ui/assets/console.css").headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");
    assertThat(get(server, "/ui/assets/favicon.svg").headers().firstValue("Content-Type"))
        .hasValue("image/svg+xml");

    String etag = js.headers().firstValue("ETag").orElseThrow();
    var again =
        TestServers.send(
            TestServers.request(server, "/ui/assets/console.js").header("If-None-Match", etag).GET().build());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    var head =
        TestServers.send(
            TestServers.request(server, "/ui/assets/console.js")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(js.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void unknownFilesAndPagesAre404() throws Exception {
    for (String path :
        new String[] {"/ui/assets/nope.js", "/ui/assets/console.JS", "/ui/nope", "/ui/index.html", "/ui/assets/"}) {
      var r = get(server, path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).contains("\"kind\":\"not_found\"");
    }
  }

  @Test
  void writesAreRefused() throws Exception {
    var r =
        TestServers.send(
            TestServers.request(server, "/ui/").POST(HttpRequest.BodyPublishers.ofString("x")).build());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  /**
   * Paths that would leave io/tributary/ui/ if they reached the class path unchecked: each names
   * a file that exists there (the router's class, the logging config), so a 200 would be a leak.
   * Sent over a raw socket so no client normalises them first.
   */
  @Test
  void noPathLeavesTheConsoleFolder() throws Exception {
    String[] targets = {
      "/ui/assets/..%2F..%2Fserver%2FHttpRouter.class",
      "/ui/assets/..%2f..%2f..%2f..%2f..%2flogback.xml",
      "/ui/assets/%2e%2e/%2e%2e/server/HttpRouter.class",
      "/ui/assets/../../server/HttpRouter.class",
      "/ui/assets/..\\..\\server\\HttpRouter.class",
      "/ui/assets/console.js%00.png",
      "/ui/assets/%2Fetc%2Fpasswd",
      "/ui/assets//etc/passwd",
      "/ui/executions/../../io/tributary/server/HttpRouter.class",
    };
    for (String target : targets) {
      String answer = rawGet(server.port(), target);
      String status = answer.substring(0, answer.indexOf("\r\n"));
      assertThat(status).as(target).matches("HTTP/1\\.1 (400|404) .*");
      assertThat(answer).as(target).doesNotContain("\u00ca\u00fe\u00ba\u00be").doesNotContain("<configuration");
    }
  }

  @Test
  void withAuthOnTheConsoleLoadsWithoutACredentialButTheDataDoesNot() throws Exception {
    assertThat(get(authServer, "/ui/").statusCode()).isEqualTo(200);
    assertThat(get(authServer, "/ui/assets/console.js").statusCode()).isEqualTo(200);
    assertThat(get(authServer, "/").statusCode()).isEqualTo(302);
    var data = get(authServer, "/v1/stream/executions/%7Bfp%3A1%7D%3A6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21/attempts/0");
    assertThat(data.statusCode()).isEqualTo(401);
  }

  private static String rawGet(int port, String target) throws IOException {
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream()
          .write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      var out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
