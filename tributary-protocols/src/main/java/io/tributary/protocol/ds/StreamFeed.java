package io.tributary.protocol.ds;

import io.tributary.api.UnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live readers (SSE responses, long-polls) of one stream, sharing its reads. One virtual
 * thread waits on the stream for all of them through the store (holding no connection while it
 * waits, woken by the stream's notification or the store's shared re-check), reads each change
 * once and keeps the last few pages; every reader caught up with the stream takes the same page
 * from here. A reader waiting here costs nothing: no query at a keep-alive, at a long-poll's
 * timeout or when it reconnects at the tail. So N readers of a stream cost about one query per
 * change, and idle readers one wait per stream.
 *
 * <p>A reader whose position the feed cannot answer (behind its kept pages, ahead of what it has
 * seen, or the feed has ended because the stream is gone) is told so ({@code null}) and reads for
 * itself. Pages are answers as fresh as the feed's last wake: like a parked reader, the feed
 * learns of an append through its notification, or at the latest through the re-check.
 *
 * <p>An SSE reader waiting at the tail is {@link ParkedSse parked} here: the feed writes each new
 * page to it directly (encoded once for all of them) and the server's {@link FeedTicker} writes
 * its keep-alives, once per interval per feed, so the reader's thread sleeps, with no timer of
 * its own, until it must act itself (a page it has to write itself, a stop, its deadline). Idle
 * readers cost one write each per interval and no wake-up; a burst costs one write per reader
 * and page. The feed wakes waiting readers only when something changed.
 *
 * @param <P> the stream kind's position type
 */
final class StreamFeed<P> {
  private static final Logger log = LoggerFactory.getLogger(StreamFeed.class);
  /** How long one wait of the feed lasts before it re-reads; the re-check covers lost wakes. */
  static final Duration WAIT = Duration.ofSeconds(30);
  /** Pages kept for readers that are a few changes behind (an SSE writing to a slow client). */
  static final int KEPT_PAGES = 32;
  /** ... and at most about this many payload bytes of them (the newest page is always kept). */
  static final long KEPT_BYTES = 256 * 1024;
  /** A feed with no reader ends this long after its last reader left (readers reconnect). */
  static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long OUTAGE_RETRY_MS = 250;

  private final StreamRef<P> ref;
  private final StreamFeeds owner;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<DsPage<P>> recent = new ArrayDeque<>();
  private final LinkedHashSet<ParkedSse<P>> parked = new LinkedHashSet<>();
  // guarded by lock
  private DsPage<P> end;
  private long keptBytes;
  private boolean behind;
  private boolean stopped;
  private boolean dead;
  private int readers;
  private long idleSince = System.nanoTime();
  // touched by the ticker thread only
  private long nextTickNanos;

  /** A feed that starts where {@code seed} (a read that reached the tail) ended. */
  StreamFeed(StreamRef<P> ref, DsPage<P> seed, StreamFeeds owner) {
    this.ref = ref;
    this.owner = owner;
    this.end = seed.atEnd();
  }

  void start() {
    Thread.ofVirtual().name("tributary-feed").start(this::run);
  }

  String key() {
    return ref.key();
  }

  /** Counts a reader in; false when the feed has ended (the caller then finds or starts another). */
  boolean retain() {
    lock.lock();
    try {
      if (stopped) {
        return false;
      }
      readers++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  void release() {
    lock.lock();
    try {
      if (--readers == 0) {
        idleSince = System.nanoTime();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The tail as the feed last saw it. */
  P tail() {
    lock.lock();
    try {
      return end.next();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Wakes the SSE readers waiting here for their keep-alive when this feed's tick is due at {@code
   * nowNanos}; the next one is then due {@code intervalNanos} later (the first {@code firstNanos}
   * after the ticker first saw this feed). Called by one thread only.
   */
  void tickIfDue(long nowNanos, long intervalNanos, long firstNanos) {
    if (nextTickNanos == 0) {
      // a new feed's first readers have just written: its first tick is due firstNanos on
      nextTickNanos = nowNanos + firstNanos;
      return;
    }
    if (nowNanos - nextTickNanos < 0) {
      return;
    }
    nextTickNanos = nowNanos + intervalNanos;
    var keepAlive = new ArrayList<ParkedSse<P>>();
    lock.lock();
    try {
      for (var it = parked.iterator(); it.hasNext(); ) {
        var p = it.next();
        if (p.async && !p.writing) {
          p.writing = true;
          keepAlive.add(p);
        }
        // (a reader with a write under way is not silent)
        if (!p.async || p.deadlineNanos - nowNanos <= owner.tickWithinNanos()) {
          // it writes its keep-alive itself, or its deadline comes before the next tick (it then
          // waits with a timer of its own)
          it.remove();
          wakeLocked(p);
        }
      }
    } finally {
      lock.unlock();
    }
    for (var p : keepAlive) {
      p.sink.writeAsync(SseEvents.keepAliveBytes(), failure -> written(p, failure));
    }
  }

  /** A write for {@code p} has ended, {@code failure} null when it succeeded. */
  private void written(ParkedSse<P> p, Throwable failure) {
    lock.lock();
    try {
      p.writing = false;
      if (failure != null) {
        p.failed = true;
        parked.remove(p);
        wakeLocked(p);
      } else if (p.woken) {
        // the reader waits for this write to end before it writes itself
        p.wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void wakeLocked(ParkedSse<P> p) {
    p.parked = false;
    p.woken = true;
    p.wake.signal();
  }

  /** Wakes {@code p} if it is parked here, so it looks at its stop condition. */
  void poke(ParkedSse<P> p) {
    lock.lock();
    try {
      if (parked.remove(p)) {
        wakeLocked(p);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the readers waiting here, so they look at their stop condition. */
  void poke() {
    lock.lock();
    try {
      wakeParkedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The page after {@code position}: a kept page that starts there, or, while {@code position} is
   * the tail, the next one, waiting for it until {@code deadlineNanos} or until {@code stop} holds
   * (then an empty page at the tail). A closed stream answers an empty closed page at its tail.
   *
   * @param sse the SSE reader asking, parked here while it waits (pages and keep-alives are then
   *     written to it directly and {@code position} moves on past them: the answer then starts
   *     further on, and {@code sse.position} tells where the reader stands when this returns
   *     null); null for a long-poll
   * @return null when the feed cannot answer for the reader's position: read it directly
   */
  DsPage<P> next(P position, long deadlineNanos, BooleanSupplier stop, ParkedSse<P> sse)
      throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (sse != null) {
          sse.position = position;
        }
        for (var page : recent) {
          if (page.after().equals(position)) {
            return page;
          }
        }
        if (dead || behind || !position.equals(end.next())) {
          return null;
        }
        if (end.closed() || (stopped && owner.draining())) {
          return end;
        }
        if (stopped) {
          // the feed ended without the stream closing (interrupted): nothing more will come here
          return null;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || stop.getAsBoolean()) {
          return end;
        }
        if (sse == null) {
          changed.awaitNanos(left);
          continue;
        }
        position = park(sse, position, deadlineNanos);
        if (sse.failed) {
          return end;
        }
        if (!sse.async) {
          // woken for its keep-alive (or a change, a stop): it writes for itself, at the tail too
          deadlineNanos = System.nanoTime();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Parks {@code sse} at {@code position} until it is woken, and waits for a write under way for
   * it to end. Holds the lock (the waits release it).
   *
   * @return where the reader stands now (past the pages written for it meanwhile)
   */
  private P park(ParkedSse<P> sse, P position, long deadlineNanos) throws InterruptedException {
    if (sse.wake == null) {
      sse.wake = lock.newCondition();
    }
    sse.position = position;
    sse.deadlineNanos = deadlineNanos;
    sse.woken = false;
    sse.parked = true;
    parked.add(sse);
    try {
      while (!sse.woken) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          break;
        }
        if (left > owner.tickWithinNanos()) {
          // the ticker wakes it before its deadline comes near: no timer for this reader
          sse.wake.await();
        } else {
          sse.wake.awaitNanos(left);
        }
      }
      sse.woken = true;
      while (sse.writing) {
        sse.wake.await();
      }
    } finally {
      if (sse.parked) {
        parked.remove(sse);
        sse.parked = false;
      }
    }
    return sse.position;
  }

  private void wakeParkedLocked() {
    for (var p : parked) {
      p.parked = false;
      p.woken = true;
      p.wake.signal();
    }
    parked.clear();
  }

  /**
   * Claims the parked readers that {@code page} can be written to directly (into {@code out}) and
   * wakes the others: a page that is not at the tail or closes the stream, and a reader still
   * busy with its previous write, are left to the reader itself.
   *
   * @return how many readers were woken
   */
  private int push(DsPage<P> page, ArrayList<ParkedSse<P>> out) {
    boolean pushable = !page.isEmpty() && page.upToDate() && !page.closed();
    int woken = 0;
    for (var it = parked.iterator(); it.hasNext(); ) {
      var p = it.next();
      if (pushable && p.async && !p.writing && p.position.equals(page.after())) {
        p.writing = true;
        p.position = page.next();
        out.add(p);
      } else {
        it.remove();
        wakeLocked(p);
        woken++;
      }
    }
    return woken;
  }

  private void run() {
    var pushes = new ArrayList<ParkedSse<P>>();
    try {
      while (true) {
        int woken = 0;
        P from;
        lock.lock();
        try {
          boolean idle = readers == 0 && System.nanoTime() - idleSince > LINGER_NANOS;
          if (idle || owner.draining() || end.closed()) {
            // stopped under the same lock, so no reader counts itself in to a feed that is ending
            stopped = true;
            return;
          }
          from = end.next();
        } finally {
          lock.unlock();
        }
        DsPage<P> page;
        var read = new FeedEvents.FeedRead();
        read.begin();
        try {
          page = ref.await(from, false, WAIT);
        } catch (UnavailableException e) {
          // the database is away: the readers keep waiting here, the feed tries again
          Thread.sleep(OUTAGE_RETRY_MS);
          continue;
        } catch (ReadRefused e) {
          markDead();
          return;
        }
        lock.lock();
        try {
          boolean news =
              !page.isEmpty()
                  || !page.next().equals(end.next())
                  || page.closed() != end.closed()
                  || page.upToDate() == behind;
          if (!page.isEmpty()) {
            recent.addLast(page);
            keptBytes += page.payloadBytes();
            while (recent.size() > KEPT_PAGES || (keptBytes > KEPT_BYTES && recent.size() > 1)) {
              keptBytes -= recent.removeFirst().payloadBytes();
            }
          }
          if (news) {
            // a wait that timed out with nothing new wakes nobody: idle readers stay parked
            end = page.atEnd();
            behind = !page.upToDate();
            woken = push(page, pushes);
            changed.signalAll();
          }
          if (read.shouldCommit()) {
            read.stream = ref.key();
            read.news = news;
            read.commit();
          }
        } finally {
          lock.unlock();
        }
        if (!pushes.isEmpty()) {
          var event = new FeedEvents.FeedPush();
          event.begin();
          var batch = page.batch();
          byte[] bytes = null;
          for (var p : pushes) {
            bytes = p.encode.apply(batch);
            p.sink.writeAsync(bytes, failure -> written(p, failure));
          }
          if (event.shouldCommit()) {
            event.stream = ref.key();
            event.written = pushes.size();
            event.woken = woken;
            event.bytes = bytes.length;
            event.commit();
          }
          pushes.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("live feed of {} failed; its readers read for themselves: {}", ref.key(), e.toString());
      markDead();
    } finally {
      stop();
    }
  }

  private void markDead() {
    lock.lock();
    try {
      dead = true;
    } finally {
      lock.unlock();
    }
  }

  private void stop() {
    lock.lock();
    try {
      stopped = true;
      wakeParkedLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    owner.ended(this);
  }
}
