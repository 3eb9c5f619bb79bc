package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamStore;
import io.tributary.api.NotFoundException;
import io.tributary.api.StreamStore;
import io.tributary.api.TributaryException;
import io.tributary.api.UnavailableException;
import io.tributary.api.ValidationException;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import io.tributary.protocol.ds.subscription.SubscriptionRoutes;
import io.tributary.protocol.ds.subscription.Subscriptions;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Durable Streams protocol over HTTP, for every path under {@code /v1/stream/}:
 *
 * <pre>
 * PUT     create (or fork) a stream; 201, or 200 when an identical one exists
 * POST    append and/or close (Stream-Seq, idempotent producers)
 * GET     read from ?offset= (catch-up, ?live=long-poll, ?live=sse)
 * HEAD    metadata
 * DELETE  delete
 * OPTIONS CORS preflight
 * </pre>
 *
 * <p>A stream is keyed by its full decoded request path. Paths under {@code
 * /v1/stream/executions/} are FlowFabric attempt streams, served read-only (see {@code
 * docs/durable-streams-mapping.md}). Paths under {@code /v1/stream/__ds} are reserved for the
 * subscription control routes ({@link SubscriptionRoutes}); no stream can be created there.
 *
 * <p>Server-agnostic: a request record in, a response out; never throws for bad input. Long-poll
 * blocks the calling thread up to {@link DurableStreamsConfig#longPollTimeout()}; SSE answers
 * {@link HttpResponse.Streaming}, whose body the adapter runs on the request's thread, flushing
 * every write, until the body returns or a write fails because the client went away.
 */
public final class DurableStreamsHandler {
  /** The path prefix this handler serves. */
  public static final String PREFIX = "/v1/stream/";

  private static final Logger log = LoggerFactory.getLogger(DurableStreamsHandler.class);

  private final DurableStreamsConfig config;
  private final NamedStreamWrites writes;
  private final NamedStreamReads reads;
  private final AttemptStreamEndpoint attempts;
  private final LiveReaders live;
  private final StreamFeeds feeds;
  private final Subscriptions subscriptions;
  private final SubscriptionRoutes controls;

  /**
   * @param namedStreams the store of named streams
   * @param attemptStreams the FlowFabric attempt store, or null to not serve attempt streams
   * @param config timeouts and limits
   */
  public DurableStreamsHandler(
      NamedStreamStore namedStreams, StreamStore attemptStreams, DurableStreamsConfig config) {
    this(namedStreams, attemptStreams, config, System::currentTimeMillis, null);
  }

  /**
   * A handler that also serves the subscription routes and tells {@code subscriptions} about
   * every append and delete.
   */
  public DurableStreamsHandler(
      NamedStreamStore namedStreams,
      StreamStore attemptStreams,
      DurableStreamsConfig config,
      Subscriptions subscriptions) {
    this(namedStreams, attemptStreams, config, System::currentTimeMillis, subscriptions);
  }

  /** A handler with default settings and the given long-poll timeout. */
  public DurableStreamsHandler(
      NamedStreamStore namedStreams, StreamStore attemptStreams, Duration longPollTimeout) {
    this(namedStreams, attemptStreams, DurableStreamsConfig.withLongPollTimeout(longPollTimeout));
  }

  DurableStreamsHandler(
      NamedStreamStore namedStreams,
      StreamStore attemptStreams,
      DurableStreamsConfig config,
      LongSupplier clock) {
    this(namedStreams, attemptStreams, config, clock, null);
  }

  /**
   * A handler that also serves the subscription routes, and answers new live reads from memory
   * only while {@code storageReachable} holds (during a detected outage they get 503 like every
   * request that needs the database).
   */
  public DurableStreamsHandler(
      NamedStreamStore namedStreams,
      StreamStore attemptStreams,
      DurableStreamsConfig config,
      Subscriptions subscriptions,
      BooleanSupplier storageReachable) {
    this(namedStreams, attemptStreams, config, System::currentTimeMillis, subscriptions, storageReachable);
  }

  DurableStreamsHandler(
      NamedStreamStore namedStreams,
      StreamStore attemptStreams,
      DurableStreamsConfig config,
      LongSupplier clock,
      Subscriptions subscriptions) {
    this(namedStreams, attemptStreams, config, clock, subscriptions, () -> true);
  }

  DurableStreamsHandler(
      NamedStreamStore namedStreams,
      StreamStore attemptStreams,
      DurableStreamsConfig config,
      LongSupplier clock,
      Subscriptions subscriptions,
      BooleanSupplier storageReachable) {
    this.config = config;
    this.subscriptions = subscriptions;
    this.controls = new SubscriptionRoutes(subscriptions);
    this.writes = new NamedStreamWrites(namedStreams, new ProducerSequenceHold(config.producerGapWait()));
    this.live = new LiveReaders(config.maxLiveReaders());
    this.feeds = new StreamFeeds(live::draining, config.sseKeepAlive());
    var readPath = new DsReadPath(config, clock, live, feeds, storageReachable);
    this.reads = new NamedStreamReads(namedStreams, config, readPath);
    this.attempts = new AttemptStreamEndpoint(attemptStreams, readPath);
  }

  /**
   * Starts draining for shutdown: every SSE response ends at its next wake (the stores wake all
   * parked readers when they drain) after a control event with the offset to resume from.
   */
  public void drain() {
    live.drain();
    feeds.wakeAll();
  }

  /** Long-polls and SSE responses running now. */
  public int liveReaders() {
    return live.running();
  }

  /** Streams whose live readers share one wait and one read per change right now. */
  public int sharedLiveStreams() {
    return feeds.size();
  }

  /**
   * Store reads and waits made so far for live reads (long-poll, SSE) of both stream kinds: the
   * shared ones (one per change of a stream, for all its readers) and those of readers reading for
   * themselves. Readers caught up with their stream add nothing while they wait, keep-alives and
   * long-poll timeouts included.
   */
  public long liveStoreReads() {
    return feeds.reads();
  }

  /** True when a (decoded) path belongs to this protocol. */
  public static boolean owns(String path) {
    return path.startsWith(PREFIX);
  }

  /**
   * Answers one request. Every refusal is an error response with a JSON body {@code
   * {"error":{"code","message"}}} and the same CORS and {@code nosniff} headers as successes; a
   * HEAD answer never has a body.
   */
  public HttpResponse handle(HttpRequest request) {
    HttpResponse response;
    try {
      response = route(request);
    } catch (DsException e) {
      response = DsResponses.error(e);
    } catch (ReadRefused e) {
      response = e.response();
    } catch (ValidationException e) {
      response = DsResponses.error(400, "BAD_REQUEST", e.detail());
    } catch (NotFoundException e) {
      response = DsResponses.error(404, "STREAM_NOT_FOUND", e.getMessage());
    } catch (UnavailableException e) {
      log.warn("durable streams: {} {} failed: {}", request.method(), request.path(), e.getMessage());
      response = DsResponses.unavailable("storage is unavailable; retry later: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      response = DsResponses.error(400, "BAD_REQUEST", e.getMessage());
    } catch (TributaryException e) {
      response = DsResponses.error(409, "CONFLICT", e.getMessage());
    } catch (RuntimeException e) {
      log.error("durable streams: {} {} failed", request.method(), request.path(), e);
      response = DsResponses.error(500, "INTERNAL", "internal error");
    }
    if (request.method().equals("HEAD")
        && response instanceof HttpResponse.Full full
        && full.body().length > 0) {
      response = DsResponses.empty(full.status(), full.headers());
    }
    return response;
  }

  private HttpResponse route(HttpRequest req) {
    var path = req.path();
    if (req.method().equals("OPTIONS")) {
      return DsResponses.empty(204, DsHeaders.preflight());
    }
    if (!owns(path) || path.length() == PREFIX.length()) {
      throw new DsException(404, "STREAM_NOT_FOUND", "streams live at " + PREFIX + "{name}");
    }
    if (AttemptStreamEndpoint.owns(path)) {
      return attempts.handle(req);
    }
    StreamPaths.checked(path, "the stream path");
    if (req.body().length > config.maxAppendBytes()) {
      throw new DsException(
          413, "PAYLOAD_TOO_LARGE", "request body exceeds " + config.maxAppendBytes() + " bytes");
    }
    if (SubscriptionRoutes.owns(path)) {
      return controls.handle(req);
    }
    return switch (req.method()) {
      case "PUT" -> reportAppend(writes.create(req), req, 201);
      case "POST" -> reportAppend(writes.append(req), req, 200, 204);
      case "GET" -> reads.read(req, ReadParams.parse(req));
      case "HEAD" -> reads.head(req);
      case "DELETE" -> {
        var r = writes.delete(req);
        if (subscriptions != null && r.status() == 204) {
          subscriptions.deleted(path);
        }
        yield r;
      }
      default -> {
        var e =
            DsResponses.error(
                405, "METHOD_NOT_ALLOWED", req.method() + " is not part of the protocol");
        e.headers().set("Allow", DsHeaders.ALLOWED_METHODS);
        yield e;
      }
    };
  }

  /** Tells the subscriptions about data a successful create or append stored. */
  private HttpResponse reportAppend(HttpResponse response, HttpRequest req, int... okStatuses) {
    if (subscriptions != null && req.body().length > 0) {
      for (int ok : okStatuses) {
        if (response.status() == ok) {
          subscriptions.appended(req.path());
        }
      }
    }
    return response;
  }
}
