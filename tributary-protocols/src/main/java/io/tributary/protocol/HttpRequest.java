package io.tributary.protocol;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server-agnostic HTTP request: what a protocol handler needs, with no web framework types.
 *
 * @param method upper-case method, e.g. {@code GET}
 * @param path the decoded request path, e.g. {@code /v1/stream/a/b}
 * @param rawQuery the raw query string without {@code ?}, or empty
 * @param headers request headers
 * @param body the full request body (empty when none)
 */
public record HttpRequest(
    String method, String path, String rawQuery, HttpHeaders headers, byte[] body) {
  /**
   * The query parameter that carries a bearer token where no header can be sent (a browser's
   * {@code EventSource}); named as in RFC 6750 §2.3. It is a credential: never log it, use {@link
   * #redactedTarget()}.
   */
  public static final String ACCESS_TOKEN_PARAM = "access_token";

  private static final String REDACTED = "REDACTED";

  public HttpRequest {
    rawQuery = rawQuery == null ? "" : rawQuery;
    headers = headers == null ? new HttpHeaders() : headers;
    body = body == null ? new byte[0] : body;
  }

  /** Query parameters in order, each name mapped to all its decoded values. */
  public Map<String, List<String>> query() {
    var out = new LinkedHashMap<String, List<String>>();
    if (rawQuery.isEmpty()) {
      return out;
    }
    for (String part : rawQuery.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      out.computeIfAbsent(decode(name), k -> new ArrayList<>()).add(decode(value));
    }
    return out;
  }

  /** The single value of a query parameter, or null when absent. */
  public String queryParam(String name) {
    var values = query().get(name);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }

  /**
   * Path and query as they may be logged: the value of every {@value #ACCESS_TOKEN_PARAM}
   * parameter replaced by {@code REDACTED}, e.g. {@code /v1/stream/a?offset=-1&access_token=REDACTED}.
   */
  public String redactedTarget() {
    if (rawQuery.isEmpty()) {
      return path;
    }
    var parts = rawQuery.split("&", -1);
    for (int i = 0; i < parts.length; i++) {
      if (isAccessToken(parts[i])) {
        parts[i] = ACCESS_TOKEN_PARAM + "=" + REDACTED;
      }
    }
    return path + "?" + String.join("&", parts);
  }

  /**
   * This request without its {@value #ACCESS_TOKEN_PARAM} parameters (the same request when it has
   * none), so that handlers behind the auth check never see the credential.
   */
  public HttpRequest withoutAccessToken() {
    if (rawQuery.isEmpty()) {
      return this;
    }
    var parts = rawQuery.split("&", -1);
    var kept = new ArrayList<String>();
    for (String part : parts) {
      if (!isAccessToken(part)) {
        kept.add(part);
      }
    }
    return kept.size() == parts.length
        ? this
        : new HttpRequest(method, path, String.join("&", kept), headers, body);
  }

  private static boolean isAccessToken(String part) {
    int eq = part.indexOf('=');
    return decode(eq < 0 ? part : part.substring(0, eq)).equals(ACCESS_TOKEN_PARAM);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
