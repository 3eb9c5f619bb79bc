package io.tributary.server;

import io.tributary.api.ExecutionId;
import io.tributary.api.ValidationException;
import io.tributary.protocol.ds.DurableStreamsHandler;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The one stream a read token may read: an attempt stream (an execution id and an attempt index)
 * or a Durable Streams named stream (its full path, which is how named streams are keyed).
 */
sealed interface StreamScope {
  String REST_PREFIX = "/v1/executions/";
  String DS_ATTEMPT_PREFIX = "/v1/stream/executions/";

  /** An attempt stream, readable over REST and at its read-only Durable Streams view. */
  record Attempt(ExecutionId executionId, long attemptIndex) implements StreamScope {
    public Attempt {
      Objects.requireNonNull(executionId, "executionId");
      if (attemptIndex < 0 || attemptIndex > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("attempt_index must be 0..4294967295, got " + attemptIndex);
      }
    }

    @Override
    public String toString() {
      return "attempt " + attemptIndex + " of execution " + executionId;
    }
  }

  /** A named stream at {@code path} (e.g. {@code /v1/stream/chat/42}). */
  record Named(String path) implements StreamScope {
    public Named {
      Objects.requireNonNull(path, "path");
      if (!DurableStreamsHandler.owns(path) || path.length() == DurableStreamsHandler.PREFIX.length()) {
        throw new IllegalArgumentException(
            "path must name a stream under " + DurableStreamsHandler.PREFIX + ", got '" + path + "'");
      }
      if (path.startsWith(DS_ATTEMPT_PREFIX)) {
        throw new IllegalArgumentException(
            "paths under " + DS_ATTEMPT_PREFIX + " are attempt streams: give execution_id and"
                + " attempt_index instead");
      }
      if (path.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("path must not contain control characters");
      }
    }

    @Override
    public String toString() {
      return "stream " + path;
    }
  }

  /**
   * The stream a request path reads, if it is a read route of one: the REST {@code
   * …/attempts/{idx}/stream}, {@code …/stream/tail} and {@code …/summary}, the Durable Streams
   * attempt view {@code /v1/stream/executions/{id}/attempts/{idx}}, or a named stream. Empty for
   * every other path (lifecycle routes, malformed ids), which a read token therefore cannot use.
   *
   * @param path the decoded request path
   */
  static Optional<StreamScope> readBy(String path) {
    try {
      if (path.startsWith(REST_PREFIX)) {
        var s = path.substring(REST_PREFIX.length()).split("/", -1);
        boolean read =
            (s.length == 4 && (s[3].equals("stream") || s[3].equals("summary")))
                || (s.length == 5 && s[3].equals("stream") && s[4].equals("tail"));
        return read && s[1].equals("attempts") ? attempt(s[0], s[2]) : Optional.empty();
      }
      if (path.startsWith(DS_ATTEMPT_PREFIX)) {
        var rest = path.substring(DS_ATTEMPT_PREFIX.length());
        int at = rest.lastIndexOf("/attempts/");
        // the Durable Streams view also accepts an id whose escapes arrive undecoded
        return at <= 0
            ? Optional.empty()
            : attempt(percentDecode(rest.substring(0, at)), rest.substring(at + "/attempts/".length()));
      }
      return Optional.of(new Named(path));
    } catch (IllegalArgumentException | ValidationException e) {
      return Optional.empty();
    }
  }

  private static Optional<StreamScope> attempt(String id, String index) {
    if (index.isEmpty() || index.length() > 10 || !index.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    return Optional.of(new Attempt(ExecutionId.parse(id), Long.parseLong(index)));
  }

  /** The form signed into a token; {@link #decode} reverses it. */
  default String encode() {
    return switch (this) {
      case Attempt a -> "attempt\n" + a.executionId() + "\n" + a.attemptIndex();
      case Named n -> "named\n" + n.path();
    };
  }

  /**
   * Parses {@link #encode()}'s form.
   *
   * @throws IllegalArgumentException when the text is no encoded scope
   */
  static StreamScope decode(String text) {
    var parts = text.split("\n", -1);
    try {
      if (parts.length == 3 && parts[0].equals("attempt")) {
        return new Attempt(ExecutionId.parse(parts[1]), Long.parseLong(parts[2]));
      }
      if (parts.length == 2 && parts[0].equals("named")) {
        return new Named(parts[1]);
      }
    } catch (ValidationException e) {
      throw new IllegalArgumentException(e.detail(), e);
    }
    throw new IllegalArgumentException("not a stream scope");
  }

  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    var out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
      if (c == '%' && lo >= 0) {
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
