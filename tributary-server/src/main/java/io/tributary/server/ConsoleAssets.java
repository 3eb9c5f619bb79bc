package io.tributary.server;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console's files, served from the server's own jar ({@code io/tributary/ui/} on the class
 * path) under {@value #PREFIX}: the page shell for {@code /ui/}, {@code /ui/executions/…} and
 * {@code /ui/streams/…} (the page reads its location and draws the matching view), and the
 * scripts and styles under {@code /ui/assets/}. {@code /} redirects to the console.
 *
 * <p>An asset name is one path segment of lowercase letters, digits, {@code -} and {@code _} with a
 * known extension, so no request can name a file outside the console's folder: {@code ..}, an
 * encoded slash or any other character is a 404 before the class path is asked. Every answer
 * carries an {@code ETag} (a hash of the bytes) and {@code Cache-Control: no-cache}: a browser
 * keeps the file and revalidates it, and a new server version is picked up at the next load.
 */
final class ConsoleAssets {
  /** Where the console lives. */
  static final String PREFIX = "/ui/";

  private static final String ROOT = "io/tributary/ui/";
  private static final String SHELL = "index.html";
  private static final String ASSETS = "assets/";
  private static final Pattern ASSET_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}\\.(js|css|svg|png|ico)");
  private static final Map<String, String> CONTENT_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");
  /**
   * The page talks only to its own origin and runs only its own files: an injected payload that
   * slipped past the page's text-only rendering still could not load or send anything.
   */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

  private final ClassLoader loader;
  /** Files read so far; the set is bounded by the names the jar holds. */
  private final Map<String, Asset> loaded = new ConcurrentHashMap<>();

  private record Asset(byte[] bytes, String contentType, String etag) {}

  ConsoleAssets() {
    this(ConsoleAssets.class.getClassLoader());
  }

  ConsoleAssets(ClassLoader loader) {
    this.loader = loader;
  }

  /** Whether {@code path} is the console's: {@code /}, {@code /ui} or anything under {@code /ui/}. */
  static boolean owns(String path) {
    return path.equals("/") || path.equals("/ui") || path.startsWith(PREFIX);
  }

  /**
   * Answers a request for a console path ({@link #owns} is true): the file, 304 when the browser's
   * copy is current, a redirect for {@code /} and {@code /ui}, 404 for a name that is not one of
   * the console's files, 405 for anything but GET and HEAD.
   */
  HttpResponse answer(HttpRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      var e = ErrorEnvelope.response(405, request.method() + " not allowed here; use GET", "method_not_allowed", false);
      e.headers().set("Allow", "GET, HEAD");
      return e;
    }
    String path = request.path();
    if (path.equals("/") || path.equals("/ui")) {
      var headers = HttpHeaders.of("Location", PREFIX, "Cache-Control", "no-cache");
      return new HttpResponse.Full(302, headers, null);
    }
    Optional<Asset> asset = find(path.substring(PREFIX.length()));
    if (asset.isEmpty()) {
      return ErrorEnvelope.response(404, "no such console page or file: " + path, "not_found", false);
    }
    var a = asset.get();
    var headers =
        HttpHeaders.of(
            "Content-Type", a.contentType(),
            "Cache-Control", "no-cache",
            "ETag", a.etag(),
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");
    if (a.contentType().startsWith("text/html")) {
      headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    }
    if (matches(request.headers().first("If-None-Match"), a.etag())) {
      return new HttpResponse.Full(304, headers, null);
    }
    return new HttpResponse.Full(200, headers, a.bytes());
  }

  /** The file a path below {@code /ui/} names, if it is one of the console's. */
  private Optional<Asset> find(String rest) {
    if (rest.isEmpty() || rest.startsWith("executions/") || rest.startsWith("streams/")) {
      return load(SHELL);
    }
    if (rest.startsWith(ASSETS) && ASSET_NAME.matcher(rest.substring(ASSETS.length())).matches()) {
      return load(rest);
    }
    return Optional.empty();
  }

  private Optional<Asset> load(String name) {
    var cached = loaded.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String extension = name.substring(name.lastIndexOf('.') + 1);
      var asset = new Asset(bytes, CONTENT_TYPES.get(extension), etag(bytes));
      loaded.put(name, asset);
      return Optional.of(asset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console file " + name, e);
    }
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.strip();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  private static String etag(byte[] bytes) {
    try {
      var digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
