package io.tributary.protocol.ds.subscription;

import io.tributary.api.NamedStreamAppend;
import io.tributary.api.NamedStreamAppendResult;
import io.tributary.api.NamedStreamStore;
import io.tributary.subscription.Subscription;
import io.tributary.subscription.SubscriptionLink;
import io.tributary.subscription.SubscriptionStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Durable Streams subscriptions of one server: the operations behind the {@code __ds} routes,
 * the hooks the stream handler calls after appends and deletes, and the background {@link
 * DeliveryWorker} that sends webhooks, expires leases and picks up missed work.
 *
 * <p>All state is in the {@link SubscriptionStore} (PostgreSQL in the server); every change to a
 * subscription runs under its row lock, so servers sharing a database cooperate. Thread-safe.
 */
public final class Subscriptions implements AutoCloseable {
  /** Most existing streams a new pattern subscription links at creation. */
  static final int MAX_INITIAL_MATCHES = 10_000;

  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
  private static final JsonMapper JSON = JsonMapper.shared();

  private final SubscriptionStore store;
  private final NamedStreamStore streams;
  private final SubscriptionConfig config;
  private final WebhookSigner signer;
  private final CallbackTokens tokens;
  private final DeliveryWorker worker;

  private Subscriptions(SubscriptionStore store, NamedStreamStore streams, SubscriptionConfig config) {
    this.store = store;
    this.streams = streams;
    this.config = config;
    var keys = store.loadOrCreateKeys(WebhookSigner::freshKeys);
    this.signer = new WebhookSigner(keys);
    this.tokens = new CallbackTokens(keys.tokenKey());
    this.worker = new DeliveryWorker(this, config);
  }

  /**
   * Loads (or creates) the signing keys and starts the delivery worker, which at once resumes
   * deliveries left pending by a previous run.
   */
  public static Subscriptions start(
      SubscriptionStore store, NamedStreamStore streams, SubscriptionConfig config) {
    var s = new Subscriptions(store, streams, config);
    s.worker.start();
    return s;
  }

  /** Call after data was appended to the named stream at {@code path} (its full path). */
  public void appended(String path) {
    if (StreamNames.relative(path) != null) {
      worker.appended(path);
    }
  }

  /** Call after the named stream at {@code path} was deleted. */
  public void deleted(String path) {
    if (StreamNames.relative(path) != null) {
      worker.deleted(path);
    }
  }

  /** Stops the delivery worker; deliveries in flight are abandoned and retried by the next run. */
  @Override
  public void close() {
    worker.close();
  }

  SubscriptionConfig config() {
    return config;
  }

  // ---- the routes ----

  record Creation(Subscription subscription, boolean created) {}

  /**
   * Creates the subscription {@code id}, or confirms an identical one.
   *
   * @throws SubscriptionFault {@code WEBHOOK_URL_REJECTED} (400) for a target the server must not
   *     send to, {@code SUBSCRIPTION_ALREADY_EXISTS} (409) for a different existing one
   */
  Creation create(String id, SubscriptionSpec spec, String baseUrl) {
    var existing = store.find(id);
    if (existing.isPresent()) {
      return confirm(existing.get(), spec);
    }
    if (spec.webhookUrl() != null) {
      var refusal = config.allowedTargets().refusal(spec.webhookUrl());
      if (refusal != null) {
        throw new SubscriptionFault(400, "WEBHOOK_URL_REJECTED", refusal);
      }
    }
    var s =
        new Subscription(
            id,
            spec.type(),
            spec.pattern(),
            spec.webhookUrl(),
            spec.wakeStream() == null ? null : StreamNames.full(spec.wakeStream()),
            spec.leaseTtlMs(),
            spec.description(),
            spec.canonical(),
            baseUrl,
            store.nowMs());
    var paths = new ArrayList<String>();
    spec.streams().forEach(name -> paths.add(StreamNames.full(name)));
    if (spec.pattern() != null) {
      var glob = new GlobPattern(spec.pattern());
      for (var path : store.streamsUnder(StreamNames.full(glob.literalPrefix()), MAX_INITIAL_MATCHES)) {
        var rel = StreamNames.relative(path);
        if (rel != null && glob.matches(rel) && !paths.contains(path)) {
          paths.add(path);
        }
      }
    }
    store.loadTails(s, paths);
    for (var path : paths) {
      boolean explicit = spec.streams().contains(StreamNames.relative(path));
      // what exists when the subscription is made is not pending: it starts at the tails
      s.links().put(path, new SubscriptionLink(path, explicit, !explicit, s.tail(path), null));
    }
    if (store.insert(s)) {
      worker.subscriptionCreated();
      return new Creation(s, true);
    }
    return confirm(store.find(id).orElseThrow(() -> SubscriptionFault.notFound(id)), spec);
  }

  private static Creation confirm(Subscription existing, SubscriptionSpec spec) {
    if (!existing.config().equals(spec.canonical())) {
      throw new SubscriptionFault(
          409, "SUBSCRIPTION_ALREADY_EXISTS", "subscription '" + existing.id() + "' exists with another configuration");
    }
    return new Creation(existing, false);
  }

  Subscription get(String id) {
    return store.find(id).orElseThrow(() -> SubscriptionFault.notFound(id));
  }

  /** Deletes a subscription; deleting a missing one is not an error. */
  void delete(String id) {
    store.delete(id);
  }

  /** Links explicit streams; an already linked one becomes explicit too. */
  void addStreams(String id, List<String> names) {
    var paths = names.stream().map(StreamNames::full).toList();
    var probe = new Subscription(id, Subscription.Type.WEBHOOK, null, null, null, 0, null, "", "", 0);
    store.loadTails(probe, paths);
    changeLinks(
        id,
        s -> {
          for (var path : paths) {
            var link = s.links().get(path);
            if (link == null) {
              s.links().put(path, new SubscriptionLink(path, true, false, probe.tail(path), null));
            } else {
              link.explicit(true);
            }
          }
        });
  }

  /** Unlinks an explicit stream (a stream the pattern matches stays linked by the pattern). */
  void removeStream(String id, String name) {
    var path = StreamNames.full(name);
    changeLinks(
        id,
        s -> {
          var link = s.links().get(path);
          if (link != null) {
            link.explicit(false);
            if (!link.glob()) {
              s.links().remove(path);
            }
          }
        });
  }

  /**
   * Changes the links of subscription {@code id} in one update.
   *
   * @throws SubscriptionFault not found when there is no such subscription
   */
  private void changeLinks(String id, Consumer<Subscription> change) {
    boolean found =
        store.update(
            id,
            s -> {
              if (s == null) {
                return false;
              }
              change.accept(s);
              return true;
            });
    if (!found) {
      throw SubscriptionFault.notFound(id);
    }
  }

  /** A callback's or ack's body: the wake it is about, acks, and whether the consumer is done. */
  record Progress(String wakeId, Long generation, List<Wakes.Ack> acks, boolean done) {}

  /**
   * A webhook receiver's callback: acks, extends the lease, and with {@code done} closes the wake
   * (opening the next one at once when more data came meanwhile).
   *
   * @return {@code {"ok":true,"next_wake":...}}
   */
  ObjectNode callback(String id, String token, Progress progress) {
    return progress(id, token, progress, Subscription.Type.WEBHOOK);
  }

  /** A pull-wake holder's ack: as {@link #callback}, for the claim's token. */
  ObjectNode ack(String id, String token, Progress progress) {
    return progress(id, token, progress, Subscription.Type.PULL_WAKE);
  }

  private ObjectNode progress(String id, String token, Progress progress, Subscription.Type type) {
    var claims = claims(id, token);
    var wake = new boolean[1];
    var next =
        store.update(
            id,
            s -> {
              requireType(s, id, type);
              long now = store.nowMs();
              Wakes.checkCurrent(s, claims.generation(), progress.generation(), progress.wakeId());
              Wakes.applyAcks(s, progress.acks());
              s.leaseExpiresMs(now + s.leaseTtlMs());
              // a receiver calling back has the notification, whatever became of our request
              s.deliveryDueMs(null);
              if (!progress.done()) {
                return false;
              }
              Wakes.close(s);
              boolean opened = Wakes.openIfPending(s, now);
              wake[0] = opened && s.type() == Subscription.Type.PULL_WAKE;
              return opened;
            });
    afterWake(id, next, wake[0]);
    var out = JSON.createObjectNode();
    out.put("ok", true);
    out.put("next_wake", next);
    return out;
  }

  /**
   * A pull-wake worker claims the open wake (opening one when there is pending work).
   *
   * @throws SubscriptionFault {@code ALREADY_CLAIMED} (409, with {@code current_holder}) while
   *     another worker's lease runs, {@code NO_PENDING_WORK} (409) when there is nothing to do
   */
  ObjectNode claim(String id, String workerName) {
    return store.update(
        id,
        s -> {
          requireType(s, id, Subscription.Type.PULL_WAKE);
          long now = store.nowMs();
          if (s.holder() != null && s.leaseExpiresMs() != null && s.leaseExpiresMs() < now) {
            Wakes.close(s);
          }
          if (s.holder() != null) {
            throw new SubscriptionFault(
                409,
                "ALREADY_CLAIMED",
                "worker '" + s.holder() + "' holds the wake",
                Map.of("current_holder", s.holder(), "generation", s.generation()));
          }
          if (s.wakeId() == null && !Wakes.openIfPending(s, now)) {
            throw new SubscriptionFault(409, "NO_PENDING_WORK", "no linked stream has data past its acked offset");
          }
          s.holder(workerName);
          s.leaseExpiresMs(now + s.leaseTtlMs());
          var out = JSON.createObjectNode();
          out.put("wake_id", s.wakeId());
          out.put("generation", s.generation());
          out.put("token", tokens.mint(s.id(), s.generation(), now));
          out.set("streams", SubscriptionJson.streams(s, true));
          out.put("lease_ttl_ms", s.leaseTtlMs());
          return out;
        });
  }

  /** A pull-wake holder gives the wake back unfinished; a new one opens if work is pending. */
  void release(String id, String token, Progress progress) {
    var claims = claims(id, token);
    var opened =
        store.update(
            id,
            s -> {
              requireType(s, id, Subscription.Type.PULL_WAKE);
              Wakes.checkCurrent(s, claims.generation(), progress.generation(), progress.wakeId());
              Wakes.close(s);
              return Wakes.openIfPending(s, store.nowMs());
            });
    afterWake(id, opened, opened);
  }

  /** The resource, its JWKS URL on {@code baseUrl} (the server the caller asked). */
  ObjectNode describe(Subscription s, String baseUrl) {
    return SubscriptionJson.describe(s, signer.kid(), baseUrl);
  }

  Map<String, Object> jwks() {
    return signer.jwks();
  }

  private CallbackTokens.Claims claims(String id, String token) {
    var claims = token == null ? null : tokens.verify(token);
    if (claims == null || !claims.subscriptionId().equals(id)) {
      throw new SubscriptionFault(401, "TOKEN_INVALID", "the bearer token is not a token of this subscription");
    }
    if (claims.expiresMs() < store.nowMs()) {
      throw new SubscriptionFault(401, "TOKEN_EXPIRED", "the bearer token has expired");
    }
    return claims;
  }

  private static void requireType(Subscription s, String id, Subscription.Type type) {
    if (s == null) {
      throw SubscriptionFault.notFound(id);
    }
    if (s.type() != type) {
      throw SubscriptionFault.invalid("subscription '" + id + "' is not a " + type.wire() + " subscription");
    }
  }

  // ---- the worker's steps ----

  /** Links the appended stream to every subscription whose pattern matches, and wakes them. */
  void evaluateAppend(String path) {
    var rel = StreamNames.relative(path);
    Subscription tails = null;
    for (var candidate : store.candidates(path)) {
      boolean byPattern = candidate.pattern() != null && new GlobPattern(candidate.pattern()).matches(rel);
      if (!byPattern && !candidate.linked()) {
        continue;
      }
      if (tails == null) {
        tails = new Subscription(candidate.id(), Subscription.Type.WEBHOOK, null, null, null, 0, null, "", "", 0);
        store.loadTails(tails, List.of(path));
      }
      var appendedTails = tails.tails();
      updateAndWake(
          candidate.id(),
          s -> {
            if (s == null) {
              return false;
            }
            if (byPattern) {
              Wakes.linkOnAppend(s, path).glob(true);
            }
            if (!s.links().containsKey(path)) {
              return false;
            }
            appendedTails.forEach(s.tails()::put);
            // a new append gives a subscription that gave up another chance
            s.failed(false);
            return Wakes.openIfPending(s, store.nowMs());
          });
    }
  }

  /** True while this server knows of no subscription and holds appends back unevaluated. */
  boolean holdsAppends() {
    return worker.holdsAppends();
  }

  /** Whether any subscription exists in the store (on any server). */
  boolean anyExist() {
    return store.anyExist();
  }

  void evaluateDelete(String path) {
    store.unlinkEverywhere(path);
  }

  /** Closes a lease that ran out and opens the next wake when work is pending. */
  void expireLease(String id) {
    updateAndWake(
        id,
        s -> {
          long now = store.nowMs();
          if (s == null || s.leaseExpiresMs() == null || s.leaseExpiresMs() >= now) {
            return false;
          }
          Wakes.close(s);
          return Wakes.openIfPending(s, now);
        });
  }

  /** Opens a wake for work no hook reported (e.g. appends just before a crash). */
  void reopen(String id) {
    updateAndWake(id, s -> s != null && !s.failed() && Wakes.openIfPending(s, store.nowMs()));
  }

  /**
   * Runs {@code opensWake} on subscription {@code id} (null when there is none) in one update, and
   * when it answers that it opened a wake, hands the wake on ({@link #afterWake}).
   */
  private void updateAndWake(String id, Predicate<Subscription> opensWake) {
    var type = new Subscription.Type[1];
    boolean opened =
        store.update(
            id,
            s -> {
              boolean o = opensWake.test(s);
              type[0] = o ? s.type() : null;
              return o;
            });
    afterWake(id, opened, opened && type[0] == Subscription.Type.PULL_WAKE);
  }

  List<String> dueDeliveries(long claimMs, int limit) {
    return store.claimDueDeliveries(store.nowMs(), claimMs, limit);
  }

  List<String> expiredLeases(int limit) {
    return store.expiredLeases(store.nowMs(), limit);
  }

  List<String> idleWithPendingWork(int limit) {
    return store.idleWithPendingWork(limit);
  }

  /** A webhook notification ready to send: for which wake, to where, with which body. */
  record Notification(String id, String wakeId, String url, byte[] body, String signature) {}

  /** The notification owed for the open wake of {@code id}, or null when none is owed. */
  Notification notification(String id) {
    var s = store.find(id).orElse(null);
    if (s == null || s.type() != Subscription.Type.WEBHOOK || s.wakeId() == null || s.deliveryDueMs() == null) {
      return null;
    }
    long now = store.nowMs();
    var body = JSON.createObjectNode();
    body.put("subscription_id", s.id());
    body.put("wake_id", s.wakeId());
    body.put("generation", s.generation());
    body.set("streams", SubscriptionJson.streams(s, true));
    body.put("callback_url", SubscriptionJson.actionUrl(s, "callback"));
    body.put("callback_token", tokens.mint(s.id(), s.generation(), now));
    body.put("ts", Instant.ofEpochMilli(now).toString());
    var bytes = JSON.writeValueAsBytes(body);
    return new Notification(s.id(), s.wakeId(), s.webhookUrl(), bytes, signer.signatureHeader(bytes, now / 1000));
  }

  /**
   * Records a delivery that the receiver accepted: the receiver's lease starts; a response {@code
   * {"done":true}} acks the wake's snapshot and closes it at once.
   */
  void delivered(Notification n, boolean done) {
    boolean opened =
        store.update(
            n.id(),
            s -> {
              if (s == null || !n.wakeId().equals(s.wakeId())) {
                return false;
              }
              long now = store.nowMs();
              s.deliveryDueMs(null);
              s.deliveryAttempts(0);
              s.failed(false);
              s.lastError(null);
              s.leaseExpiresMs(now + s.leaseTtlMs());
              if (!done) {
                return false;
              }
              Wakes.ackSnapshot(s);
              Wakes.close(s);
              return Wakes.openIfPending(s, now);
            });
    afterWake(n.id(), opened, false);
  }

  /**
   * Records a failed delivery: a retry after an exponential backoff, or, after the configured
   * number of attempts, the subscription is marked failed and the wake dropped.
   */
  void deliveryFailed(Notification n, String error) {
    store.update(
        n.id(),
        s -> {
          if (s == null || !n.wakeId().equals(s.wakeId())) {
            return null;
          }
          int attempts = s.deliveryAttempts() + 1;
          s.deliveryAttempts(attempts);
          s.lastError(error);
          s.failed(true);
          if (attempts >= config.maxAttempts()) {
            log.warn("subscription {}: giving up on wake {} after {} attempts: {}", s.id(), s.wakeId(), attempts, error);
            Wakes.close(s);
          } else {
            long delay = config.retryDelayMs(attempts);
            long jitter = (long) (delay * 0.2 * (2 * Math.random() - 1));
            s.deliveryDueMs(store.nowMs() + Math.max(1, delay + jitter));
          }
          return null;
        });
  }

  /** Hands back a delivery this server claimed but did not finish: it is due again now. */
  void deliveryAbandoned(Notification n) {
    store.update(
        n.id(),
        s -> {
          if (s != null && n.wakeId().equals(s.wakeId()) && s.deliveryDueMs() != null) {
            s.deliveryDueMs(store.nowMs());
          }
          return null;
        });
  }

  /** After a commit that opened a wake: nudge the worker, or append the pull-wake event. */
  private void afterWake(String id, boolean opened, boolean pullWake) {
    if (!opened) {
      return;
    }
    if (!pullWake) {
      worker.nudge();
      return;
    }
    var s = store.find(id).orElse(null);
    if (s == null || s.wakeId() == null || s.wakeStream() == null) {
      return;
    }
    var event = JSON.createObjectNode();
    event.put("type", "wake");
    event.put("subscription_id", s.id());
    var first = Wakes.firstPending(s);
    event.put("stream", first == null ? null : StreamNames.relative(first));
    event.put("wake_id", s.wakeId());
    event.put("generation", s.generation());
    event.put("ts", store.nowMs());
    var result =
        streams.append(
            s.wakeStream(),
            NamedStreamAppend.of("application/json", JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8)));
    if (result.status() != NamedStreamAppendResult.Status.APPENDED) {
      log.warn("subscription {}: could not append the wake event to {}: {}", id, s.wakeStream(), result.status());
    }
  }
}
