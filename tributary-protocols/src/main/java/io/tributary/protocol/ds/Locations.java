package io.tributary.protocol.ds;

import io.tributary.protocol.HttpRequest;
import java.nio.charset.StandardCharsets;

/** The absolute URL of a request's stream, for {@code Location} headers. */
final class Locations {
  private static final String PATH_SAFE =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/";

  private Locations() {}

  /**
   * {@code scheme://host/path}: the host from {@code Host}, the scheme from {@code
   * X-Forwarded-Proto} when a proxy set it, else http.
   */
  static String of(HttpRequest req) {
    var host = HeaderValues.value(req.headers(), "Host");
    var proto = HeaderValues.value(req.headers(), "X-Forwarded-Proto");
    var scheme = "https".equalsIgnoreCase(proto) ? "https" : "http";
    return scheme + "://" + (host == null ? "localhost" : host) + encodePath(req.path());
  }

  static String encodePath(String path) {
    var out = new StringBuilder(path.length() + 16);
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c < 128 && PATH_SAFE.indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
