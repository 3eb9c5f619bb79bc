package io.tributary.protocol.rest;

import io.tributary.api.StreamCursor;
import io.tributary.api.ValidationException;
import io.tributary.protocol.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a request's query parameters. Unknown parameters are ignored; a parameter given
 * twice, an unparsable number or a malformed cursor is a 400, like a failed query extraction in
 * the reference server (but with the JSON error envelope).
 */
final class QueryParams {
  private final Map<String, List<String>> values;

  QueryParams(HttpRequest request) {
    this.values = request.query();
  }

  /** Parameters given another way (the fields of one batch item). */
  QueryParams(Map<String, List<String>> values) {
    this.values = values;
  }

  /** The single value, or null when absent. */
  String string(String name) {
    var list = values.get(name);
    if (list == null || list.isEmpty()) {
      return null;
    }
    if (list.size() > 1) {
      throw RestException.badRequest("duplicate query parameter '" + name + "'");
    }
    return list.getFirst();
  }

  /** A u64 (plain decimal digits), or {@code fallback} when absent. */
  long unsigned(String name, long fallback) {
    var text = string(name);
    if (text == null) {
      return fallback;
    }
    if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw RestException.badRequest(
          name + ": expected a non-negative integer, got '" + text + "'");
    }
    return Long.parseLong(text);
  }

  /** A cursor token (start, end, {@code <ms>} or {@code <ms>-<seq>}), or the fallback. */
  StreamCursor cursor(String name, StreamCursor fallback) {
    var text = string(name);
    if (text == null) {
      return fallback;
    }
    try {
      return StreamCursor.parse(text);
    } catch (ValidationException e) {
      throw new RestException(400, e.code(), false, name + ": " + e.detail());
    }
  }
}
