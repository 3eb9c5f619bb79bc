package io.tributary.protocol.rest;

import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.Handle;
import io.tributary.api.StreamStore;
import io.tributary.api.TailVisibility;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.node.ObjectNode;

/**
 * FlowFabric's REST API for attempt streams, plus the lifecycle routes workers in other languages
 * need. Server-agnostic: a request record in, a response out.
 *
 * <pre>
 * POST /v1/executions                                   mint an execution id
 * POST /v1/executions/{id}/attempts                     start the next attempt (lease + handle)
 * POST /v1/executions/{id}/reclaim                      take the execution over (new attempt)
 * POST /v1/executions/{id}/attempts/{idx}/renew         extend the lease      (Tributary-Handle)
 * POST /v1/executions/{id}/attempts/{idx}/close         end the attempt       (Tributary-Handle)
 * POST /v1/executions/{id}/attempts/{idx}/stream        append one frame      (Tributary-Handle,
 *                                                       optional Idempotency-Key)
 * POST /v1/executions/{id}/attempts/{idx}/stream/batch  append many frames, all or nothing
 * GET  /v1/executions/{id}/attempts/{idx}/stream        read a range          (FlowFabric §4.1)
 * GET  /v1/executions/{id}/attempts/{idx}/stream/tail   tail, optionally blocking (§4.2)
 * GET  /v1/executions/{id}/attempts/{idx}/summary       the rolling summary document
 * </pre>
 *
 * <p>Every answer is JSON; errors use {@code {"error","kind","retryable"}} (see {@link
 * RestErrors}). Reads and tails share a concurrency limit and answer 429 when it is full.
 */
public final class FlowFabricRestHandler {
  /** Request header carrying the handle token for appends, renewals and closes. */
  public static final String HANDLE_HEADER = "Tributary-Handle";

  /** Optional request header naming an append, so that a retry of it is answered, not written. */
  public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  /** Response header ({@code true}) on an append answered from an earlier append with its key. */
  public static final String REPLAY_HEADER = "Tributary-Idempotent-Replay";

  private static final Set<CloseReason> WORKER_CLOSE_REASONS =
      Set.of(
          CloseReason.ATTEMPT_SUCCESS,
          CloseReason.ATTEMPT_FAILURE,
          CloseReason.ATTEMPT_CANCELLED,
          CloseReason.EXPIRED,
          CloseReason.SUSPENSION_TIMEOUT,
          CloseReason.DEPENDENCY_IMPOSSIBLE);

  private final StreamStore store;
  private final RestConfig config;
  private final StreamOpLimiter streamOps;

  public FlowFabricRestHandler(StreamStore store, RestConfig config) {
    this.store = store;
    this.config = config;
    this.streamOps = new StreamOpLimiter(config.maxStreamOps());
  }

  /** True when a (decoded) path belongs to this API; other paths are not for this handler. */
  public static boolean owns(String path) {
    return RestPath.owns(path);
  }

  /**
   * Answers one request. Never throws: every failure becomes a JSON error response. A tail may
   * block the calling thread for up to its {@code block_ms}.
   */
  public HttpResponse handle(HttpRequest request) {
    try {
      var path = RestPath.match(request.path());
      if (path == null) {
        return RestJson.error(
            404, "no such route: " + request.method() + " " + request.path(), "not_found", false);
      }
      if (!path.resource().methods.contains(request.method())) {
        var allowed = String.join(", ", new TreeSet<>(path.resource().methods));
        var response =
            RestJson.error(
                405, request.method() + " not allowed here; use " + allowed, "method_not_allowed", false);
        response.headers().set("Allow", allowed);
        return response;
      }
      return switch (path.resource()) {
        case EXECUTIONS -> mintExecution(request);
        case ATTEMPTS -> startAttempt(path, request);
        case RECLAIM -> reclaim(path, request);
        case RENEW -> renew(path, request);
        case CLOSE -> close(path, request);
        case STREAM -> request.method().equals("POST") ? append(path, request) : read(path, request);
        case TAIL -> tail(path, request);
        case BATCH -> appendBatch(path, request);
        case SUMMARY -> summary(path);
      };
    } catch (RuntimeException e) {
      return RestErrors.toResponse(e);
    }
  }

  /** Reads and tails running right now (for metrics). */
  public int streamOpsInUse() {
    return streamOps.inUse();
  }

  /** From now on reads and tails answer 503; call when the server starts shutting down. */
  public void shutdown() {
    streamOps.shutdown();
  }

  private HttpResponse mintExecution(HttpRequest request) {
    var body = RestJson.bodyObject(request);
    var lane = body.get("lane_id");
    if (lane != null && !lane.isString()) {
      throw RestException.badRequest("lane_id must be a string");
    }
    var id = ExecutionMint.mint(lane == null ? null : lane.stringValue());
    return RestJson.response(201, RestJson.object().put("execution_id", id.toString()));
  }

  private HttpResponse startAttempt(RestPath path, HttpRequest request) {
    var body = RestJson.bodyObject(request);
    var id = ExecutionId.parse(path.executionId());
    return RestJson.response(201, RestJson.handle(store.handles(), store.startAttempt(id, leaseTtl(body))));
  }

  private HttpResponse reclaim(RestPath path, HttpRequest request) {
    var body = RestJson.bodyObject(request);
    var id = ExecutionId.parse(path.executionId());
    return RestJson.response(200, RestJson.handle(store.handles(), store.reclaim(id, leaseTtl(body))));
  }

  private HttpResponse renew(RestPath path, HttpRequest request) {
    var handle = ownHandle(path, request);
    var body = RestJson.bodyObject(request);
    return RestJson.response(200, RestJson.handle(store.handles(), store.renewLease(handle, leaseTtl(body))));
  }

  private HttpResponse close(RestPath path, HttpRequest request) {
    var handle = ownHandle(path, request);
    var reason = closeReason(RestJson.bodyObject(request));
    store.closeAttempt(handle, reason);
    return RestJson.response(
        200,
        RestJson.object()
            .put("execution_id", handle.executionId().toString())
            .put("attempt_index", handle.attemptIndex())
            .put("closed_reason", reason.wire()));
  }

  private HttpResponse append(RestPath path, HttpRequest request) {
    var handle = ownHandle(path, request);
    var frame =
        AppendParams.frame(new QueryParams(request), request.body())
            .withIdempotencyKey(AppendParams.idempotencyKey(request.headers()));
    var outcome = store.append(handle, frame);
    var response = RestJson.response(200, RestJson.appendOutcome(outcome));
    if (outcome.replayed()) {
      response.headers().set(REPLAY_HEADER, "true");
    }
    return response;
  }

  private HttpResponse appendBatch(RestPath path, HttpRequest request) {
    var handle = ownHandle(path, request);
    return RestJson.appendOutcomes(store.appendAll(handle, BatchItems.parse(request.body())));
  }

  private HttpResponse read(RestPath path, HttpRequest request) {
    long index = path.parsedAttemptIndex();
    var params = ReadParams.parse(new QueryParams(request));
    var id = ExecutionId.parse(path.executionId());
    try (var permit = streamOps.acquire()) {
      var frames = store.read(id, index, params.from(), params.to(), params.limit());
      return RestJson.response(200, RestJson.frames(frames));
    }
  }

  private HttpResponse tail(RestPath path, HttpRequest request) {
    long index = path.parsedAttemptIndex();
    var params = TailParams.parse(new QueryParams(request));
    var id = ExecutionId.parse(path.executionId());
    try (var permit = streamOps.acquire()) {
      var frames =
          store.tail(
              id, index, params.after(), params.blockMs(), params.limit(), TailVisibility.ALL);
      return RestJson.response(200, RestJson.frames(frames));
    }
  }

  private HttpResponse summary(RestPath path) {
    long index = path.parsedAttemptIndex();
    var id = ExecutionId.parse(path.executionId());
    return store
        .readSummary(id, index)
        .map(doc -> RestJson.response(200, RestJson.summary(doc)))
        .orElseGet(
            () ->
                RestJson.error(
                    404,
                    "no summary for execution " + id + " attempt " + index
                        + " (no summary-mode frame was appended)",
                    "not_found",
                    false));
  }

  /**
   * The handle from {@value #HANDLE_HEADER}, which must belong to the attempt the path names.
   *
   * @throws RestException 400 when the header is missing or names another attempt
   */
  private Handle ownHandle(RestPath path, HttpRequest request) {
    long index = path.parsedAttemptIndex();
    var id = ExecutionId.parse(path.executionId());
    var token = request.headers().first(HANDLE_HEADER);
    if (token == null || token.isBlank()) {
      throw RestException.badRequest(
          "missing " + HANDLE_HEADER + " header: pass the handle returned when the attempt started");
    }
    var handle = store.handles().fromToken(token);
    if (!handle.executionId().equals(id) || handle.attemptIndex() != index) {
      throw RestException.badRequest(
          HANDLE_HEADER + " belongs to execution " + handle.executionId() + " attempt "
              + handle.attemptIndex() + ", not to execution " + id + " attempt " + index);
    }
    return handle;
  }

  private Duration leaseTtl(ObjectNode body) {
    var node = body.get("lease_ttl_ms");
    if (node == null || node.isNull()) {
      return config.defaultLeaseTtl();
    }
    long max = config.maxLeaseTtl().toMillis();
    if (!node.isIntegralNumber() || !node.canConvertToLong()
        || node.longValue() < 1 || node.longValue() > max) {
      throw RestException.badRequest("lease_ttl_ms must be an integer in 1.." + max);
    }
    return Duration.ofMillis(node.longValue());
  }

  private static CloseReason closeReason(ObjectNode body) {
    var node = body.get("reason");
    if (node == null || !node.isString()) {
      throw RestException.badRequest(
          "body must name the outcome, e.g. {\"reason\":\"attempt_success\"}");
    }
    var reason = CloseReason.parse(node.stringValue());
    if (!WORKER_CLOSE_REASONS.contains(reason)) {
      throw RestException.badRequest(
          "reason '" + reason.wire() + "' is set by the server, not by a worker");
    }
    return reason;
  }
}
