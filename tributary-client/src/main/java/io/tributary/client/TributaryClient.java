package io.tributary.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * A connection to one Tributary deployment (one server, or several on one database) over HTTP.
 * Workers {@link #startAttempt start attempts} and append to them; readers {@link #read read},
 * {@link #tail tail} and {@link #follow follow} attempt streams and their {@link #summary
 * summaries}; {@link #namedStream} opens a Durable Streams stream.
 *
 * <pre>{@code
 * try (var client = TributaryClient.builder("http://127.0.0.1:4437").build()) { … }
 * }</pre>
 *
 * <p>Requests that may be repeated (reads, appends, which carry idempotency keys, renewals,
 * closes) are retried under the {@link RetryPolicy} when the server answers {@code
 * retryable: true} or cannot be reached, moving on to the next configured server. Thread-safe;
 * one client per application is enough.
 */
public final class TributaryClient implements AutoCloseable {
  private final Transport transport;
  private final ScheduledExecutorService scheduler;
  private final FollowSettings settings;
  private final int maxInFlight;

  private TributaryClient(Builder b) {
    var http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .build();
    this.transport = new Transport(http, b.servers, b.token, b.retry, b.requestTimeout);
    this.settings = new FollowSettings(b.giveUpAfter, b.longPollTimeout);
    this.maxInFlight = b.maxInFlight;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              var t = new Thread(r, "tributary-lease-renewal");
              t.setDaemon(true);
              return t;
            });
  }

  /** A builder for a client of the server at {@code baseUrl}, e.g. {@code http://127.0.0.1:4437}. */
  public static Builder builder(String baseUrl) {
    return new Builder().server(baseUrl);
  }

  // ------------------------------------------------------------------------------ workers

  /**
   * Mints a new execution id (random partition).
   *
   * @return e.g. {@code {fp:42}:6f1c2a8e-3d0b-4f59-9a0e-0c1f7b7f8d21}
   */
  public String mintExecution() {
    var response =
        transport.sendAndWait(Transport.Call.post("/v1/executions", new byte[0], Map.of()), Transport.Repeat.ALWAYS);
    return Transport.JSON.readTree(response.body()).get("execution_id").asString();
  }

  /**
   * Starts the next attempt of {@code executionId} with a lease of {@code leaseTtl}, renewed in
   * the background until the attempt is closed.
   *
   * @param onLeaseLost called once (on a client thread) if the lease is lost; may be null
   * @throws TributaryClientException when the server refuses (e.g. a malformed id)
   */
  public Attempt startAttempt(String executionId, Duration leaseTtl, Consumer<LeaseLostException> onLeaseLost) {
    var body = ("{\"lease_ttl_ms\":" + leaseTtl.toMillis() + "}").getBytes(StandardCharsets.UTF_8);
    // not repeated after a lost answer: a second start would start a second attempt
    var response =
        transport.sendAndWait(
            Transport.Call.post(
                "/v1/executions/" + Wire.encode(executionId) + "/attempts", body,
                Map.of("Content-Type", "application/json")),
            Transport.Repeat.UNSENT_ONLY);
    return new Attempt(transport, scheduler, Transport.JSON.readTree(response.body()), maxInFlight, onLeaseLost);
  }

  /** {@link #startAttempt(String, Duration, Consumer)} without a lease-lost callback. */
  public Attempt startAttempt(String executionId, Duration leaseTtl) {
    return startAttempt(executionId, leaseTtl, null);
  }

  /**
   * An attempt started elsewhere (by another process that handed over its handle), for appending
   * and closing only: its lease is not renewed from here, and {@link Attempt#leaseExpiresAtMs()}
   * is unknown ({@code Long.MAX_VALUE}).
   */
  public Attempt attach(String executionId, long attempt, String handle) {
    return new Attempt(transport, executionId, attempt, handle, maxInFlight);
  }

  // ------------------------------------------------------------------------------ readers

  /**
   * Reads frames of an attempt between two cursors, both inclusive ({@code start}, {@code end},
   * {@code <ms>} or {@code <ms>-<seq>}), at most {@code limit} (1..1000). An attempt that does not
   * exist reads as empty and open.
   */
  public FramePage read(String executionId, long attempt, String from, String to, int limit) {
    var response =
        transport.sendAndWait(
            Transport.Call.get(
                Wire.attemptPath(executionId, attempt) + "/stream?from=" + Wire.encode(from) + "&to="
                    + Wire.encode(to) + "&limit=" + limit),
            Transport.Repeat.ALWAYS);
    return Wire.page(Transport.JSON.readTree(response.body()));
  }

  /**
   * Frames strictly after {@code afterId} ({@code 0-0} for all), waiting up to {@code blockMs}
   * (0..30000) for the first one; at most {@code limit} (1..1000).
   */
  public FramePage tail(String executionId, long attempt, String afterId, long blockMs, int limit) {
    var response =
        transport.sendAndWait(
            new Transport.Call(
                "GET",
                Wire.attemptPath(executionId, attempt) + "/stream/tail?after=" + Wire.encode(afterId)
                    + "&block_ms=" + blockMs + "&limit=" + limit,
                null, Map.of(), Duration.ofMillis(blockMs).plusSeconds(30)),
            Transport.Repeat.ALWAYS);
    return Wire.page(Transport.JSON.readTree(response.body()));
  }

  /**
   * Follows an attempt stream live: every frame after {@code afterId} (null: from the first),
   * each exactly once, across SSE lifetime ends, server restarts and moves to another configured
   * server, until the attempt is closed ({@link Follow#closeReason()}).
   *
   * @throws NotFoundException (from the first {@code hasNext}) when the attempt was never started
   */
  public Follow<StoredFrame> follow(String executionId, long attempt, String afterId, LiveMode mode) {
    return new Follow<>(new AttemptFrameSource(transport, executionId, attempt, afterId, mode, settings));
  }

  /** {@link #follow} as a publisher: each subscriber gets its own follow from {@code afterId}. */
  public Flow.Publisher<StoredFrame> publisher(String executionId, long attempt, String afterId, LiveMode mode) {
    return new FollowPublisher<>(() -> follow(executionId, attempt, afterId, mode));
  }

  /** The attempt's summary, or empty when no summary patch was appended yet. */
  public Optional<Summary> summary(String executionId, long attempt) {
    try {
      var response =
          transport.sendAndWait(
              Transport.Call.get(Wire.attemptPath(executionId, attempt) + "/summary"), Transport.Repeat.ALWAYS);
      return Optional.of(Wire.summary(Transport.JSON.readTree(response.body())));
    } catch (NotFoundException none) {
      return Optional.empty();
    }
  }

  /**
   * Follows the summary: the current one (if any), then each new version as summary frames are
   * appended, until the attempt is closed. Versions that follow each other quickly may be seen
   * only as the latest of them.
   */
  public Follow<Summary> followSummary(String executionId, long attempt, LiveMode mode) {
    var frames = new AttemptFrameSource(transport, executionId, attempt, null, mode, settings);
    return new Follow<>(new SummarySource(frames, () -> summary(executionId, attempt)));
  }

  /**
   * The highest attempt index of {@code executionId} that was started (attempts are numbered
   * 0, 1, 2 … without gaps), or empty when none was.
   */
  public Optional<Long> latestAttempt(String executionId) {
    long index = -1;
    while (true) {
      try {
        transport.sendAndWait(
            new Transport.Call("HEAD", Wire.attemptView(executionId, index + 1), null, Map.of(), null),
            Transport.Repeat.ALWAYS);
        index++;
      } catch (NotFoundException e) {
        return index < 0 ? Optional.empty() : Optional.of(index);
      }
    }
  }

  /**
   * Mints a read-only token for one attempt stream (needs the admin token). Hand it to an
   * untrusted reader; it expires after {@code ttl}.
   */
  public String mintReadToken(String executionId, long attempt, Duration ttl) {
    var mapper = Transport.JSON;
    var body = mapper.createObjectNode().put("execution_id", executionId).put("attempt_index", attempt);
    return mint(body.put("ttl_ms", ttl.toMillis()));
  }

  /** A read-only token for the named stream {@code name} (needs the admin token). */
  public String mintReadToken(String name, Duration ttl) {
    var body = Transport.JSON.createObjectNode().put("path", Wire.namedPath(name));
    return mint(body.put("ttl_ms", ttl.toMillis()));
  }

  private String mint(tools.jackson.databind.node.ObjectNode body) {
    var response =
        transport.sendAndWait(
            Transport.Call.post("/v1/tokens", Transport.JSON.writeValueAsBytes(body), Map.of("Content-Type", "application/json")),
            Transport.Repeat.ALWAYS);
    return Transport.JSON.readTree(response.body()).get("token").asString();
  }

  // ------------------------------------------------------------------------------ discovery

  /**
   * One page of executions, newest first (by creation, ties by id), filtered by their current
   * attempt's state and, optionally, close reason (which implies {@link ExecutionState#CLOSED}).
   * Needs the admin token when auth is on.
   *
   * @param closeReason e.g. {@code attempt_failure} or {@code lease_expired}; null for any
   * @param limit 1..500
   * @param after the {@link ListingPage#next()} of the previous page, or null for the first
   * @throws BadRequestException for a bad limit, state, reason or cursor
   */
  public ListingPage<ExecutionSummary> executions(ExecutionState state, String closeReason, int limit, String after) {
    var query = new StringBuilder("/v1/executions?state=").append((state == null ? ExecutionState.ALL : state).wire())
        .append("&limit=").append(limit);
    if (closeReason != null) {
      query.append("&close_reason=").append(Wire.encode(closeReason));
    }
    if (after != null) {
      query.append("&after=").append(Wire.encode(after));
    }
    var response = transport.sendAndWait(Transport.Call.get(query.toString()), Transport.Repeat.ALWAYS);
    return Listings.page(Transport.JSON.readTree(response.body()), "executions", Listings::execution);
  }

  /**
   * One execution with its attempts (oldest first), or empty when it never started one. A read
   * token of one of its attempts may ask.
   */
  public Optional<ExecutionDetails> execution(String executionId) {
    try {
      var response = transport.sendAndWait(
          Transport.Call.get("/v1/executions/" + Wire.encode(executionId)), Transport.Repeat.ALWAYS);
      var body = Transport.JSON.readTree(response.body());
      return Optional.of(new ExecutionDetails(Listings.execution(body), Listings.attempts(body)));
    } catch (NotFoundException none) {
      return Optional.empty();
    }
  }

  /**
   * The attempts of an execution, oldest first.
   *
   * @throws NotFoundException when it never started one
   */
  public List<AttemptSummary> attempts(String executionId) {
    var response = transport.sendAndWait(
        Transport.Call.get("/v1/executions/" + Wire.encode(executionId) + "/attempts"), Transport.Repeat.ALWAYS);
    return Listings.attempts(Transport.JSON.readTree(response.body()));
  }

  /**
   * One page of named streams whose path starts with {@code prefix} (e.g. {@code /v1/stream/chat/};
   * null for all), in byte order of their paths. Needs the admin token when auth is on.
   *
   * @param limit 1..500
   * @param after the {@link ListingPage#next()} of the previous page, or null for the first
   */
  public ListingPage<StreamListing> streams(String prefix, int limit, String after) {
    var query = new StringBuilder("/v1/streams?limit=").append(limit);
    if (prefix != null) {
      query.append("&prefix=").append(Wire.encode(prefix));
    }
    if (after != null) {
      query.append("&after=").append(Wire.encode(after));
    }
    var response = transport.sendAndWait(Transport.Call.get(query.toString()), Transport.Repeat.ALWAYS);
    return Listings.page(Transport.JSON.readTree(response.body()), "streams", Listings::stream);
  }

  // ------------------------------------------------------------------------------ named streams

  /** The named stream {@code name} (e.g. {@code chat/42}, or its full path {@code /v1/stream/chat/42}). */
  public NamedStream namedStream(String name) {
    return new NamedStream(transport, settings, name);
  }

  /** Stops lease renewal of every attempt of this client (the attempts stay open on the server). */
  @Override
  public void close() {
    scheduler.shutdownNow();
    transport.closeConnections();
  }

  /** Settings of a {@link TributaryClient}; every one has a default. */
  public static final class Builder {
    /** 5 s to open a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * 30 s for one request's answer (a blocking tail gets its block time on top); for an SSE
     * follow, for the head of its response, after which the body streams as long as it lasts.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** A follower gives up after 2 minutes of failing to reach any server. */
    public static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ofMinutes(2);
    /** Longest wait for one long-poll answer (the server answers 204 after 30 s by default). */
    public static final Duration DEFAULT_LONG_POLL_TIMEOUT = Duration.ofSeconds(90);
    /** Pipelined appends in flight per attempt. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;

    private final List<URI> servers = new ArrayList<>();
    private String token;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration giveUpAfter = DEFAULT_GIVE_UP_AFTER;
    private Duration longPollTimeout = DEFAULT_LONG_POLL_TIMEOUT;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

    private Builder() {}

    /**
     * Adds a server of the same deployment (servers on one database); requests go to the first
     * and move to the next when one cannot be reached.
     */
    public Builder server(String baseUrl) {
      var uri = URI.create(Objects.requireNonNull(baseUrl, "baseUrl"));
      if (uri.getScheme() == null || uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new IllegalArgumentException("server must be an http(s) URL like http://127.0.0.1:4437, got " + baseUrl);
      }
      servers.add(uri);
      return this;
    }

    /** The bearer token (admin or read token); null or empty sends none. */
    public Builder token(String token) {
      this.token = token == null || token.isEmpty() ? null : token;
      return this;
    }

    /** How retryable failures are repeated. */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Longest time to open a connection. */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = Objects.requireNonNull(d);
      return this;
    }

    /**
     * Longest wait for one answer; for an SSE follow, for its response head (a server that
     * accepted the connection but does not answer is left for the next one after this).
     */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** How long a follower keeps trying through failures before it throws. */
    public Builder giveUpAfter(Duration d) {
      this.giveUpAfter = Objects.requireNonNull(d);
      return this;
    }

    /** Longest wait for one long-poll answer; keep it above the server's long-poll timeout. */
    public Builder longPollTimeout(Duration d) {
      this.longPollTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** Most pipelined appends in flight per attempt ({@link Attempt#appendAsync} waits beyond). */
    public Builder maxInFlight(int n) {
      this.maxInFlight = atLeastOne("maxInFlight", n);
      return this;
    }

    /** {@code n}, or an IllegalArgumentException naming the setting when it is below 1. */
    static int atLeastOne(String setting, int n) {
      if (n < 1) {
        throw new IllegalArgumentException(setting + " must be >= 1, got " + n);
      }
      return n;
    }

    /** The client; the settings are frozen. */
    public TributaryClient build() {
      return new TributaryClient(this);
    }
  }
}
