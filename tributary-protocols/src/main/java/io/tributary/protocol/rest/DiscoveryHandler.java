package io.tributary.protocol.rest;

import io.tributary.api.AttemptInfo;
import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.ExecutionInfo;
import io.tributary.api.ExecutionQuery;
import io.tributary.api.NamedStreamListing;
import io.tributary.api.StreamDirectory;
import io.tributary.api.ValidationException;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import tools.jackson.databind.node.ObjectNode;

/**
 * The discovery routes: which executions and named streams exist. Read-only JSON, outside the
 * Durable Streams path space, errors in the REST envelope.
 *
 * <pre>
 * GET /v1/executions?state=open|closed|all&amp;close_reason=R&amp;limit=N&amp;after=CURSOR  newest first
 * GET /v1/executions/{id}                    one execution with its attempts
 * GET /v1/executions/{id}/attempts           its attempts, oldest first
 * GET /v1/streams?prefix=P&amp;limit=N&amp;after=CURSOR  named streams by path
 * </pre>
 */
public final class DiscoveryHandler {
  /** Where the named streams are listed. */
  public static final String STREAMS_PATH = "/v1/streams";

  private static final String EXECUTIONS = RestPath.PREFIX;

  /** Which discovery route a request names. */
  public enum Route {
    EXECUTIONS,
    EXECUTION,
    ATTEMPTS,
    STREAMS
  }

  private final StreamDirectory directory;

  public DiscoveryHandler(StreamDirectory directory) {
    this.directory = directory;
  }

  /**
   * The discovery route of a request, or null when it is not one. {@code GET} of the execution
   * list and of an execution's attempts are discovery ({@code POST} there mints and starts);
   * {@code /v1/executions/{id}} and {@code /v1/streams} are discovery whatever the method.
   *
   * @param path the decoded request path
   */
  public static Route route(String method, String path) {
    if (path.equals(STREAMS_PATH)) {
      return Route.STREAMS;
    }
    if (path.equals(EXECUTIONS)) {
      return method.equals("GET") ? Route.EXECUTIONS : null;
    }
    if (!path.startsWith(EXECUTIONS + "/")) {
      return null;
    }
    var s = path.substring(EXECUTIONS.length() + 1).split("/", -1);
    if (s[0].isEmpty()) {
      return null;
    }
    if (s.length == 1) {
      return Route.EXECUTION;
    }
    return s.length == 2 && s[1].equals("attempts") && method.equals("GET") ? Route.ATTEMPTS : null;
  }

  /** The execution id a discovery path names ({@link Route#EXECUTION}, {@link Route#ATTEMPTS}). */
  public static String executionIdOf(String path) {
    return path.substring(EXECUTIONS.length() + 1).split("/", -1)[0];
  }

  /** Answers a request {@link #route} recognised. Never throws. */
  public HttpResponse handle(HttpRequest request) {
    var route = route(request.method(), request.path());
    try {
      if (route == null) {
        return RestJson.error(404, "no such route: " + request.method() + " " + request.path(), "not_found", false);
      }
      if (!request.method().equals("GET")) {
        var response = RestJson.error(405, request.method() + " not allowed here; use GET", "method_not_allowed", false);
        response.headers().set("Allow", "GET");
        return response;
      }
      var params = new QueryParams(request);
      return switch (route) {
        case EXECUTIONS -> executions(params);
        case EXECUTION -> execution(executionIdOf(request.path()), false);
        case ATTEMPTS -> execution(executionIdOf(request.path()), true);
        case STREAMS -> streams(params);
      };
    } catch (RuntimeException e) {
      return RestErrors.toResponse(e);
    }
  }

  private HttpResponse executions(QueryParams params) {
    var state = params.string("state");
    var reason = params.string("close_reason");
    var query =
        new ExecutionQuery(
            state == null ? ExecutionQuery.State.ALL : ExecutionQuery.State.parse(state),
            reason == null ? null : closeReason(reason),
            limit(params, ExecutionQuery.DEFAULT_LIMIT, ExecutionQuery.MAX_LIMIT),
            after(params));
    var page = directory.executions(query);
    var body = RestJson.object();
    var items = body.putArray("executions");
    page.items().forEach(e -> items.add(execution(e)));
    body.put("next", page.next());
    return RestJson.response(200, body);
  }

  private HttpResponse execution(String rawId, boolean attemptsOnly) {
    var id = ExecutionId.parse(rawId);
    var found = directory.execution(id);
    if (found.isEmpty()) {
      return RestJson.error(404, "no such execution: " + id + " (it never started an attempt)", "not_found", false);
    }
    var detail = found.get();
    var body = attemptsOnly ? RestJson.object() : execution(detail.execution());
    var attempts = body.putArray("attempts");
    detail.attempts().forEach(a -> attempts.add(attempt(a)));
    return RestJson.response(200, body);
  }

  private HttpResponse streams(QueryParams params) {
    var prefix = params.string("prefix");
    var page =
        directory.namedStreams(
            prefix, limit(params, ExecutionQuery.DEFAULT_LIMIT, StreamDirectory.MAX_STREAM_LIMIT), after(params));
    var body = RestJson.object();
    var items = body.putArray("streams");
    page.items().forEach(s -> items.add(stream(s)));
    body.put("next", page.next());
    return RestJson.response(200, body);
  }

  private static ObjectNode execution(ExecutionInfo e) {
    var node =
        RestJson.object()
            .put("execution_id", e.executionId().toString())
            .put("created_at_ms", e.createdAtMs())
            .put("state", e.open() ? "open" : "closed")
            .put("attempt_count", e.attemptCount());
    var current = e.currentAttempt();
    if (current == null) {
      node.putNull("current_attempt_index").putNull("close_reason").putNull("closed_at_ms")
          .put("frame_count", 0).put("total_bytes", 0).putNull("summary_version").putNull("last_append_at_ms");
      return node;
    }
    node.put("current_attempt_index", current.attemptIndex());
    return counters(node, current);
  }

  private static ObjectNode attempt(AttemptInfo a) {
    var node =
        RestJson.object()
            .put("attempt_index", a.attemptIndex())
            .put("state", a.open() ? "open" : "closed")
            .put("created_at_ms", a.createdAtMs())
            .put("lease_epoch", a.leaseEpoch())
            .put("lease_expires_at_ms", a.leaseExpiresAtMs());
    return counters(node, a);
  }

  private static ObjectNode counters(ObjectNode node, AttemptInfo a) {
    return node
        .put("close_reason", a.closeReason() == null ? null : a.closeReason().wire())
        .put("closed_at_ms", a.closedAtMs())
        .put("frame_count", a.frameCount())
        .put("total_bytes", a.totalBytes())
        .put("summary_version", a.summaryVersion())
        .put("last_append_at_ms", a.lastAppendAtMs());
  }

  private static ObjectNode stream(NamedStreamListing s) {
    return RestJson.object()
        .put("path", s.path())
        .put("content_type", s.contentType())
        .put("created_at_ms", s.createdAtMs())
        .put("closed", s.closed())
        .put("frame_count", s.frameCount())
        .put("total_bytes", s.totalBytes())
        .put("expires_at_ms", s.expiresAtMs());
  }

  private static int limit(QueryParams params, int fallback, int max) {
    var text = params.string("limit");
    if (text == null) {
      return fallback;
    }
    if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
        || Integer.parseInt(text) < 1 || Integer.parseInt(text) > max) {
      throw RestException.badRequest("limit must be an integer in 1.." + max + ", got '" + text + "'");
    }
    return Integer.parseInt(text);
  }

  private static String after(QueryParams params) {
    var text = params.string("after");
    if (text != null && text.isEmpty()) {
      throw RestException.badRequest("after is empty: pass the 'next' of the previous page, or leave it out");
    }
    return text;
  }

  private static CloseReason closeReason(String text) {
    try {
      return CloseReason.parse(text);
    } catch (ValidationException e) {
      throw RestException.badRequest("close_reason: " + e.detail());
    }
  }
}
