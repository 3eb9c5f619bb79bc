package io.tributary.protocol.ds.subscription;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The background side of subscriptions, one virtual thread per server: applies the append and
 * delete hooks in order (off the request path), claims due webhook deliveries and sends each on
 * its own virtual thread, expires leases, and every poll interval reopens wakes for work no hook
 * reported.
 *
 * <p>While no subscription exists (the usual case of a server without subscribers) an append
 * costs no query: its path is only remembered ({@link UncheckedAppends}). Every poll asks the
 * database whether any subscription exists now; when one does (or one is created on this
 * server), the remembered paths are evaluated as if just appended. So a subscription made on
 * another server sees this server's appends at most a poll interval later, none are lost.
 *
 * <p>Everything it acts on is in the database, so a restarted server resumes where the
 * last one stopped: an owed delivery is sent again (at least once), a claimed one after {@link
 * #claimMs()}.
 */
final class DeliveryWorker implements AutoCloseable {
  /** Most of a receiver's response body that is read (only {@code done} matters). */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final int BATCH = 32;

  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final JsonMapper JSON = JsonMapper.shared();

  private record Event(boolean append, String path) {}

  private final Subscriptions subscriptions;
  private final SubscriptionConfig config;
  private final Object lock = new Object();
  private final ArrayDeque<Event> events = new ArrayDeque<>();
  private final Set<String> queuedAppends = new HashSet<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient client;
  /** Appends not evaluated because no subscription was known to exist; guarded by lock. */
  private final UncheckedAppends unchecked = new UncheckedAppends();
  private boolean nudged;
  private boolean failing;
  private volatile boolean running = true;
  private Thread loop;

  DeliveryWorker(Subscriptions subscriptions, SubscriptionConfig config) {
    this.subscriptions = subscriptions;
    this.config = config;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.requestTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  void start() {
    loop = Thread.ofVirtual().name("ds-subscriptions").start(this::run);
  }

  void appended(String path) {
    synchronized (lock) {
      if (!unchecked.hold(path)) {
        queue(path);
      } else if (unchecked.full()) {
        nudged = true;
        lock.notifyAll();
      }
    }
  }

  /** Call with {@link #lock} held. */
  private void queue(String appendedPath) {
    if (queuedAppends.add(appendedPath)) {
      events.add(new Event(true, appendedPath));
      lock.notifyAll();
    }
  }

  void deleted(String path) {
    synchronized (lock) {
      // an append held back for a stream now gone is moot (and must not link it after the delete)
      unchecked.forget(path);
      events.add(new Event(false, path));
      lock.notifyAll();
    }
  }

  /** A subscription was created on this server: appends from now on are evaluated at once. */
  void subscriptionCreated() {
    synchronized (lock) {
      unchecked.subscriptionsExist().forEach(this::queue);
    }
  }

  /** True while no subscription is known to exist, so appends are held back, not evaluated. */
  boolean holdsAppends() {
    synchronized (lock) {
      return unchecked.knownNone();
    }
  }

  /** A delivery became due on this server: look now instead of at the next poll. */
  void nudge() {
    synchronized (lock) {
      nudged = true;
      lock.notifyAll();
    }
  }

  /** How long a claimed delivery is reserved for the server that claimed it. */
  long claimMs() {
    return config.requestTimeout().toMillis() + 5_000;
  }

  @Override
  public void close() {
    running = false;
    synchronized (lock) {
      lock.notifyAll();
    }
    if (loop != null) {
      // not interrupted: an interrupt in the middle of a JDBC call breaks the pooled connection
      try {
        loop.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    senders.shutdownNow();
    try {
      senders.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.shutdownNow();
  }

  private void run() {
    long pollNanos = config.pollInterval().toNanos();
    long lastPoll = System.nanoTime() - pollNanos;
    while (running) {
      try {
        Event event;
        while (running && (event = next()) != null) {
          if (event.append()) {
            subscriptions.evaluateAppend(event.path());
          } else {
            subscriptions.evaluateDelete(event.path());
          }
        }
        boolean poll = System.nanoTime() - lastPoll >= pollNanos;
        boolean look;
        synchronized (lock) {
          look = nudged || poll;
          nudged = false;
          // a nudge while none is known means one exists after all: ask now
          poll |= unchecked.full() || (look && unchecked.knownNone());
        }
        boolean any = !poll || checkForSubscriptions();
        if (poll) {
          lastPoll = System.nanoTime();
        }
        if (look && any) {
          for (var id : subscriptions.dueDeliveries(claimMs(), BATCH)) {
            if (inFlight.add(id)) {
              senders.execute(() -> send(id));
            }
          }
        }
        if (poll && any) {
          subscriptions.expiredLeases(BATCH).forEach(subscriptions::expireLease);
          subscriptions.idleWithPendingWork(BATCH).forEach(subscriptions::reopen);
        }
        if (failing) {
          failing = false;
          log.info("subscriptions: background steps work again");
        }
        synchronized (lock) {
          if (running && events.isEmpty() && !nudged) {
            long waitMs = Math.max(1, (pollNanos - (System.nanoTime() - lastPoll)) / 1_000_000);
            lock.wait(waitMs);
          }
        }
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
      } catch (RuntimeException e) {
        // the database may be briefly away; everything is retried from its state next round, and
        // an outage is logged once, not every round
        if (!failing) {
          failing = true;
          log.warn("subscriptions: background step failed (retrying every poll): {}", e.toString());
        } else {
          log.debug("subscriptions: background step failed again: {}", e.toString());
        }
        sleepQuietly();
      }
    }
  }

  /**
   * Asks the database whether any subscription exists; the appends held back before the question
   * are queued when one does, and dropped when none does (a subscription made after the question
   * starts at the streams' tails, so it is owed nothing of them).
   *
   * @return whether subscriptions may exist now
   */
  private boolean checkForSubscriptions() {
    long ticket;
    synchronized (lock) {
      ticket = unchecked.asking();
    }
    boolean any = subscriptions.anyExist();
    synchronized (lock) {
      unchecked.answered(ticket, any).forEach(this::queue);
      return !unchecked.knownNone();
    }
  }

  private Event next() {
    synchronized (lock) {
      var e = events.poll();
      if (e != null && e.append()) {
        queuedAppends.remove(e.path());
      }
      return e;
    }
  }

  private void send(String id) {
    Subscriptions.Notification n = null;
    try {
      n = subscriptions.notification(id);
      if (n == null) {
        return;
      }
      var refusal = config.allowedTargets().refusal(n.url());
      if (refusal != null) {
        subscriptions.deliveryFailed(n, "target refused: " + refusal);
        return;
      }
      var request =
          HttpRequest.newBuilder(URI.create(n.url()))
              .timeout(config.requestTimeout())
              .header("Content-Type", "application/json")
              .header("Webhook-Signature", n.signature())
              .POST(HttpRequest.BodyPublishers.ofByteArray(n.body()))
              .build();
      var response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_RESPONSE_BYTES);
      }
      if (response.statusCode() / 100 == 2) {
        subscriptions.delivered(n, saysDone(body));
      } else {
        subscriptions.deliveryFailed(n, "the receiver answered HTTP " + response.statusCode());
      }
    } catch (IOException e) {
      if (running) {
        subscriptions.deliveryFailed(n, "could not reach the receiver: " + e);
      } else {
        giveBack(n);
      }
    } catch (InterruptedException e) {
      giveBack(n);
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("subscription {}: delivery failed: {}", id, e.toString());
    } finally {
      inFlight.remove(id);
    }
  }

  /**
   * Stopping mid-delivery: hands the delivery back (due now), so the next server to run sends it
   * at once instead of after the claim runs out. Clears the interrupt for the database call, which
   * an interrupt would break.
   */
  private void giveBack(Subscriptions.Notification n) {
    if (n == null) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    try {
      subscriptions.deliveryAbandoned(n);
    } catch (RuntimeException e) {
      log.debug("subscription {}: could not hand back a delivery: {}", n.id(), e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean saysDone(byte[] body) {
    if (body.length == 0) {
      return false;
    }
    try {
      var node = JSON.readTree(body);
      return node != null && node.isObject() && node.path("done").isBoolean() && node.path("done").asBoolean();
    } catch (JacksonException e) {
      return false;
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(config.pollInterval().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
