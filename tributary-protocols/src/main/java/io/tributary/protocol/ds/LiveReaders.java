package io.tributary.protocol.ds;

import io.tributary.protocol.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The live reads (long-polls and SSE responses) running now: a cap on how many may run at once,
 * and the drain signal that ends them when the server shuts down.
 */
final class LiveReaders {
  private final int max;
  private final AtomicInteger running = new AtomicInteger();
  private volatile boolean draining;

  /** @param max most live reads at once; 0 for no cap */
  LiveReaders(int max) {
    this.max = max;
  }

  /** Counts a live read in; false (and nothing counted) when the cap is reached. */
  boolean tryEnter() {
    while (true) {
      int now = running.get();
      if (max > 0 && now >= max) {
        return false;
      }
      if (running.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void leave() {
    running.decrementAndGet();
  }

  int running() {
    return running.get();
  }

  /** From now on SSE responses end at their next wake with a control event to resume from. */
  void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  /**
   * Runs a live read if the cap allows, counting it until its response is done (for SSE: until
   * its body returns); over the cap, or once the server drains, answers 503 with
   * {@code Retry-After}.
   */
  HttpResponse serve(Supplier<HttpResponse> read) {
    if (draining) {
      // a reader whose response just ended with the drain's control event reconnects at once:
      // sent elsewhere now, it neither keeps this server's drain waiting nor races its stop
      return DsResponses.unavailable("this server is shutting down; resume on another server");
    }
    if (!tryEnter()) {
      var refused =
          DsResponses.error(
              503, "TOO_MANY_READERS", "this server already serves " + max + " live readers; retry later");
      refused.headers().set("Retry-After", "1");
      return refused;
    }
    boolean handedOver = false;
    try {
      var response = read.get();
      if (response instanceof HttpResponse.Streaming s) {
        handedOver = true;
        return new HttpResponse.Streaming(
            s.status(),
            s.headers(),
            sink -> {
              try {
                s.body().writeTo(sink);
              } finally {
                leave();
              }
            });
      }
      return response;
    } finally {
      if (!handedOver) {
        leave();
      }
    }
  }
}
