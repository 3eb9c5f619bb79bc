package io.tributary.client;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * A started attempt, held by this worker: append to its stream, patch its summary, close it. The
 * lease is renewed in the background (every third of its time to live) until the attempt is
 * closed. If the lease is lost (it expired, the execution was reclaimed, a newer epoch took
 * over), the lease-lost callback runs once and every later call throws {@link
 * LeaseLostException}.
 *
 * <p>Every append carries an idempotency key, so the retries of a timed-out append, also across
 * a server restart, never write a frame twice. Thread-safe.
 */
public final class Attempt implements AutoCloseable {
  private final Transport transport;
  private final ScheduledExecutorService scheduler;
  private final String executionId;
  private final long index;
  private final long leaseTtlMs;
  private final Consumer<LeaseLostException> onLeaseLost;
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final String keyPrefix = UUID.randomUUID().toString();
  private final AtomicLong appends = new AtomicLong();
  private volatile String handle;
  private volatile long leaseExpiresAtMs;
  private volatile LeaseLostException lost;
  private volatile String closedReason;
  private volatile ScheduledFuture<?> renewal;

  Attempt(
      Transport transport, ScheduledExecutorService scheduler, JsonNode started, int maxInFlight,
      Consumer<LeaseLostException> onLeaseLost) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.executionId = started.get("execution_id").asString();
    this.index = started.get("attempt_index").asLong();
    this.leaseTtlMs = started.get("lease_ttl_ms").asLong();
    this.onLeaseLost = onLeaseLost;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    take(started);
    scheduleRenewal();
  }

  /** An attempt known only by its handle: appends and closes, no renewal. */
  Attempt(Transport transport, String executionId, long index, String handle, int maxInFlight) {
    this.transport = transport;
    this.scheduler = null;
    this.executionId = executionId;
    this.index = index;
    this.leaseTtlMs = 0;
    this.onLeaseLost = null;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.handle = handle;
    this.leaseExpiresAtMs = Long.MAX_VALUE;
  }

  /** The execution id, e.g. {@code {fp:42}:6f1c…}. */
  public String executionId() {
    return executionId;
  }

  /** The attempt index (0, 1, 2 … within the execution). */
  public long index() {
    return index;
  }

  /** The current handle token (it changes with every renewal). */
  public String handle() {
    return handle;
  }

  /** When the lease runs out unless renewed (epoch milliseconds, server clock). */
  public long leaseExpiresAtMs() {
    return leaseExpiresAtMs;
  }

  /** Whether the lease was lost; appends and close then throw {@link LeaseLostException}. */
  public boolean leaseLost() {
    return lost != null;
  }

  /**
   * Appends one frame and waits until it is committed, retrying with the same idempotency key
   * while the server is unreachable or busy.
   *
   * @throws LeaseLostException when the lease was lost (now or before)
   * @throws StreamClosedException when the attempt is closed
   * @throws BadRequestException for a bad frame (e.g. larger than the server's frame limit)
   * @throws UnavailableException when every retry failed; the frame may or may not be stored,
   *     and a later {@code append} of it is a new frame
   */
  public Appended append(NewFrame frame) {
    return Transport.await(appendAsync(frame));
  }

  /**
   * {@link #append(NewFrame)} under an idempotency key of your own; see {@link
   * #appendAsync(NewFrame, String)}.
   */
  public Appended append(NewFrame frame, String idempotencyKey) {
    return Transport.await(appendAsync(frame, idempotencyKey));
  }

  /**
   * Sends one frame without waiting for it: many appends can be in flight at once (at most the
   * client's {@code maxInFlight} per attempt; beyond that this call waits for a slot). Frames in
   * flight together may be committed in any order; use {@link #append} (or wait for the future)
   * where order matters.
   *
   * @return completes with what was committed, or exceptionally as {@link #append} throws
   */
  public CompletableFuture<Appended> appendAsync(NewFrame frame) {
    return appendAsync(frame, keyPrefix + "-" + appends.incrementAndGet());
  }

  /**
   * {@link #appendAsync(NewFrame)} under an idempotency key of your own (1–256 characters, unique
   * within the attempt), for a worker that restarts and must not append the same frame twice: an
   * append whose key was already committed with the same frame is answered as a replay ({@link
   * Appended#replayed()}), with another frame as {@link ConflictException} {@code
   * idempotency_key_reused}.
   */
  public CompletableFuture<Appended> appendAsync(NewFrame frame, String idempotencyKey) {
    checkUsable();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(
          new UnavailableException(0, "interrupted", "interrupted while waiting to append", false));
    }
    String key = idempotencyKey;
    var headers = new LinkedHashMap<String, String>();
    headers.put("Tributary-Handle", handle);
    headers.put("Idempotency-Key", key);
    headers.put("Content-Type", "application/octet-stream");
    var call = Transport.Call.post(Wire.attemptPath(executionId, index) + "/stream?" + query(frame), frame.payload(), headers);
    return transport
        .send(call, Transport.Repeat.ALWAYS)
        .thenApply(
            response -> {
              var body = Transport.JSON.readTree(response.body());
              var version = body.get("summary_version");
              return new Appended(
                  body.get("id").asString(),
                  body.get("frame_count").asLong(),
                  version == null ? null : version.asLong(),
                  body.has("replayed") && body.get("replayed").asBoolean());
            })
        .whenComplete(
            (ok, failure) -> {
              inFlight.release();
              if (failure != null && Transport.unwrap(failure) instanceof LeaseLostException l) {
                markLost(l);
              }
            });
  }

  /**
   * Appends {@code frames} in one request, all or nothing: the server commits every frame (their
   * ids increase in list order) or none, after one fence check. Each frame gets an idempotency
   * key, so a retry of a batch whose answer was lost stores nothing twice (the outcomes then say
   * {@link Appended#replayed()}). At most 1000 frames, and within the server's body limit.
   *
   * @return the outcome of each frame, in order
   * @throws BadRequestException naming the first bad frame; nothing was written
   * @throws LeaseLostException, StreamClosedException, ConflictException as {@link #append}
   */
  public java.util.List<Appended> appendBatch(java.util.List<NewFrame> frames) {
    checkUsable();
    var items = Transport.JSON.createArrayNode();
    for (var frame : frames) {
      var item = items.addObject().put("mode", frame.mode());
      if (frame.frameType() != null) {
        item.put("frame_type", frame.frameType());
      }
      if (frame.correlationId() != null) {
        item.put("correlation_id", frame.correlationId());
      }
      if (frame.ttl() != null) {
        item.put("ttl_ms", Math.max(1, frame.ttl().toMillis()));
      }
      String text = Wire.utf8(frame.payload());
      if (text != null) {
        item.put("payload", text);
      } else {
        item.put("payload", java.util.Base64.getEncoder().encodeToString(frame.payload())).put("encoding", "base64");
      }
      item.put("idempotency_key", keyPrefix + "-" + appends.incrementAndGet());
    }
    var call =
        Transport.Call.post(
            Wire.attemptPath(executionId, index) + "/stream/batch", Transport.JSON.writeValueAsBytes(items),
            Map.of("Tributary-Handle", handle, "Content-Type", "application/json"));
    try {
      var body = Transport.JSON.readTree(transport.sendAndWait(call, Transport.Repeat.ALWAYS).body());
      var out = new java.util.ArrayList<Appended>();
      for (var f : body.get("frames")) {
        var version = f.get("summary_version");
        out.add(
            new Appended(
                f.get("id").asString(), f.get("frame_count").asLong(),
                version == null ? null : version.asLong(), f.has("replayed") && f.get("replayed").asBoolean()));
      }
      return out;
    } catch (LeaseLostException e) {
      markLost(e);
      throw e;
    }
  }

  /**
   * Folds {@code jsonMergePatch} (RFC 7396) into the attempt's summary, as a summary frame.
   *
   * @return the append, whose {@link Appended#summaryVersion()} is the summary's new version
   */
  public Appended patchSummary(String jsonMergePatch) {
    return append(NewFrame.summaryPatch(jsonMergePatch));
  }

  /**
   * Waits for the appends in flight, stops renewing and closes the attempt with {@code reason}.
   * Readers that follow the stream end with this reason. Closing again with the same reason does
   * nothing.
   *
   * @throws LeaseLostException when the lease was lost before the close
   * @throws StreamClosedException when the attempt was already closed otherwise
   */
  public void close(CloseReason reason) {
    if (reason.wire().equals(closedReason)) {
      return;
    }
    checkUsable();
    inFlight.acquireUninterruptibly(maxInFlight);
    inFlight.release(maxInFlight);
    stopRenewal();
    var body = ("{\"reason\":\"" + reason.wire() + "\"}").getBytes(StandardCharsets.UTF_8);
    var call =
        Transport.Call.post(
            Wire.attemptPath(executionId, index) + "/close", body,
            Map.of("Tributary-Handle", handle, "Content-Type", "application/json"));
    try {
      transport.sendAndWait(call, Transport.Repeat.ALWAYS);
    } catch (StreamClosedException e) {
      // a retry of a close whose answer was lost finds the attempt closed: ours, if the reason is ours
      if (!reason.wire().equals(closedReasonOnServer())) {
        throw e;
      }
    } catch (LeaseLostException e) {
      markLost(e);
      throw e;
    }
    closedReason = reason.wire();
  }

  /**
   * Stops renewing; an attempt that is still open (not closed, lease held) is closed with {@code
   * attempt_cancelled}. Use {@link #close(CloseReason)} to close with an outcome.
   */
  @Override
  public void close() {
    if (closedReason == null && lost == null) {
      close(CloseReason.ATTEMPT_CANCELLED);
    }
    stopRenewal();
  }

  private String closedReasonOnServer() {
    var response =
        transport.sendAndWait(
            Transport.Call.get(Wire.attemptPath(executionId, index) + "/stream?from=end&to=end&limit=1"),
            Transport.Repeat.ALWAYS);
    return Wire.page(Transport.JSON.readTree(response.body())).closedReason();
  }

  private void checkUsable() {
    var l = lost;
    if (l != null) {
      throw new LeaseLostException(l.status(), l.kind(), l.getMessage(), false);
    }
    if (closedReason != null) {
      throw new StreamClosedException(
          409, "stream_closed", "attempt " + index + " of " + executionId + " is closed (" + closedReason + ")", false);
    }
  }

  private static String query(NewFrame frame) {
    var q = new StringBuilder("mode=").append(frame.mode());
    if (frame.frameType() != null) {
      q.append("&frame_type=").append(Wire.encode(frame.frameType()));
    }
    if (frame.correlationId() != null) {
      q.append("&correlation_id=").append(Wire.encode(frame.correlationId()));
    }
    if (frame.ttl() != null) {
      q.append("&ttl_ms=").append(Math.max(1, frame.ttl().toMillis()));
    }
    return q.toString();
  }

  private void take(JsonNode answer) {
    handle = answer.get("handle").asString();
    leaseExpiresAtMs = answer.get("lease_expires_at_ms").asLong();
  }

  private void scheduleRenewal() {
    if (scheduler == null || closedReason != null || lost != null) {
      return;
    }
    long delay = Math.max(50, leaseTtlMs / 3);
    renewal = scheduler.schedule(this::renew, delay, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    if (closedReason != null || lost != null) {
      return;
    }
    var body = ("{\"lease_ttl_ms\":" + leaseTtlMs + "}").getBytes(StandardCharsets.UTF_8);
    var call =
        Transport.Call.post(
            Wire.attemptPath(executionId, index) + "/renew", body,
            Map.of("Tributary-Handle", handle, "Content-Type", "application/json"));
    transport
        .send(call, Transport.Repeat.ALWAYS)
        .whenComplete(
            (response, failure) -> {
              if (failure == null) {
                take(Transport.JSON.readTree(response.body()));
              } else {
                var cause = Transport.unwrap(failure);
                if (closedReason != null) {
                  return;
                }
                if (cause instanceof LeaseLostException l) {
                  markLost(l);
                } else if (cause instanceof StreamClosedException || cause instanceof NotFoundException) {
                  var e = (TributaryClientException) cause;
                  markLost(new LeaseLostException(e.status(), e.kind(), "lease lost: " + e.getMessage(), false));
                } else if (System.currentTimeMillis() > leaseExpiresAtMs) {
                  markLost(
                      new LeaseLostException(
                          0, "lease_expired", "lease expired while the server could not be reached: " + cause, false));
                }
              }
              scheduleRenewal();
            });
  }

  private void stopRenewal() {
    var r = renewal;
    if (r != null) {
      r.cancel(false);
    }
  }

  private synchronized void markLost(LeaseLostException e) {
    if (lost != null || closedReason != null) {
      return;
    }
    lost = e;
    stopRenewal();
    if (onLeaseLost != null) {
      onLeaseLost.accept(e);
    }
  }
}
