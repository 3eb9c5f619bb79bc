package io.tributary.protocol.ds;

import io.tributary.testing.SettableClock;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.tributary.postgres.StoreConfig;
import io.tributary.postgres.Database;
import io.tributary.postgres.PostgresNamedStreamStore;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One embedded database and handler shared by the handler tests, plus request helpers. The
 * store's clock is settable, so expiry is tested without sleeping; live reads use short timeouts.
 */
final class DsFixture {
  static final SettableClock CLOCK = new SettableClock(1_900_000_000_000L);
  static final DurableStreamsConfig CONFIG =
      new DurableStreamsConfig(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(200), 64, 1024, 0);

  private static final AtomicInteger names = new AtomicInteger();
  private static DsFixture shared;

  final Database db;
  final PostgresStreamStore attempts;
  final DurableStreamsHandler handler;

  private DsFixture() {
    var url = EmbeddedPostgres.createDatabase("ds_handler_tests");
    db = Database.open(StoreConfig.builder(url).user("postgres").poolSize(6).clock(CLOCK).build());
    attempts = new PostgresStreamStore(db);
    handler = new DurableStreamsHandler(new PostgresNamedStreamStore(db), attempts, CONFIG, CLOCK::millis);
  }

  static synchronized DsFixture get() {
    if (shared == null) {
      shared = new DsFixture();
    }
    return shared;
  }

  static String newPath(String prefix) {
    return "/v1/stream/" + prefix + "-" + names.incrementAndGet();
  }

  HttpResponse call(String method, String pathAndQuery, String body, String... headers) {
    return call(method, pathAndQuery, body == null ? new byte[0] : body.getBytes(UTF_8), headers);
  }

  HttpResponse call(String method, String pathAndQuery, byte[] body, String... headers) {
    int q = pathAndQuery.indexOf('?');
    var path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    var query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    var h = HttpHeaders.of(headers).add("Host", "127.0.0.1:4437");
    return handler.handle(new HttpRequest(method, path, query, h, body));
  }

  HttpResponse.Full put(String path, String contentType, String body, String... headers) {
    return full(call("PUT", path, body, with("Content-Type", contentType, headers)));
  }

  HttpResponse.Full post(String path, String contentType, String body, String... headers) {
    return full(call("POST", path, body, with("Content-Type", contentType, headers)));
  }

  HttpResponse.Full get(String pathAndQuery, String... headers) {
    return full(call("GET", pathAndQuery, (String) null, headers));
  }

  HttpResponse.Full head(String path) {
    return full(call("HEAD", path, (String) null));
  }

  HttpResponse.Full delete(String path) {
    return full(call("DELETE", path, (String) null));
  }

  static HttpResponse.Full full(HttpResponse r) {
    if (r instanceof HttpResponse.Full f) {
      return f;
    }
    throw new AssertionError("expected a complete response, got " + r);
  }

  static String text(HttpResponse.Full r) {
    return new String(r.body(), UTF_8);
  }

  static String header(HttpResponse r, String name) {
    return r.headers().first(name);
  }

  private static String[] with(String name, String value, String[] more) {
    if (value == null) {
      return more;
    }
    var all = new String[more.length + 2];
    all[0] = name;
    all[1] = value;
    System.arraycopy(more, 0, all, 2, more.length);
    return all;
  }

}
