package io.tributary.protocol.ds;

import io.tributary.protocol.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Strict parsers for the protocol's header values; a bad value is a 400 naming the header. */
final class HeaderValues {
  /** 2^53 - 1: the largest integer every JavaScript client can represent exactly. */
  static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private HeaderValues() {}

  /** The header's value with surrounding blanks removed, or null when absent or blank. */
  static String value(HttpHeaders headers, String name) {
    var v = headers.first(name);
    if (v == null) {
      return null;
    }
    v = v.strip();
    return v.isEmpty() ? null : v;
  }

  /**
   * A non-negative decimal integer without sign, leading zeros, decimal point or exponent, at most
   * {@code max}; null when the header is absent.
   */
  static Long canonicalInteger(HttpHeaders headers, String name, long max) {
    var raw = headers.first(name);
    if (raw == null) {
      return null;
    }
    var v = raw.strip();
    boolean digits = !v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9');
    if (!digits || (v.length() > 1 && v.charAt(0) == '0') || v.length() > 18) {
      throw DsException.badRequest(name + " must be a non-negative integer like 0 or 42, not '" + raw + "'");
    }
    long n = Long.parseLong(v);
    if (n > max) {
      throw DsException.badRequest(name + " must be at most " + max);
    }
    return n;
  }

  /** {@code true} or {@code false} (any case); absent is false. */
  static boolean flag(HttpHeaders headers, String name) {
    var v = value(headers, name);
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw DsException.badRequest(name + " must be true or false, not '" + v + "'");
    };
  }

  /** An RFC 3339 timestamp with offset (e.g. {@code 2026-01-01T00:00:00Z}) in ms; null if absent. */
  static Long timestampMs(HttpHeaders headers, String name) {
    var v = value(headers, name);
    if (v == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw DsException.badRequest(name + " must be an RFC 3339 timestamp, not '" + v + "'");
    }
  }

  /**
   * A stream path given in a header: root-relative ({@code /v1/stream/a}) or an absolute URL, with
   * percent-escapes decoded as the request path is.
   */
  static String path(String raw) {
    var v = raw;
    int scheme = v.indexOf("://");
    if (scheme > 0 && v.indexOf('/') > scheme) {
      int slash = v.indexOf('/', scheme + 3);
      v = slash < 0 ? "/" : v.substring(slash);
    }
    int query = v.indexOf('?');
    if (query >= 0) {
      v = v.substring(0, query);
    }
    return percentDecode(v);
  }

  /** Decodes {@code %XX} escapes as UTF-8; anything else is kept as it is. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    var out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
