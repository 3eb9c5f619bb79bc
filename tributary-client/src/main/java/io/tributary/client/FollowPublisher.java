package io.tributary.client;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A {@link Flow.Publisher} over follows: every subscriber gets its own follow, read on its own
 * daemon thread as fast as the subscriber requests. The subscriber completes when the stream
 * closes, and gets {@code onError} when the follow fails.
 */
final class FollowPublisher<T> implements Flow.Publisher<T> {
  private final Supplier<Follow<T>> follows;

  FollowPublisher(Supplier<Follow<T>> follows) {
    this.follows = follows;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    var subscription = new Subscription<T>(subscriber);
    subscriber.onSubscribe(subscription);
    var thread = new Thread(() -> subscription.run(follows), "tributary-follow");
    thread.setDaemon(true);
    thread.start();
  }

  private static final class Subscription<T> implements Flow.Subscription {
    private final Flow.Subscriber<? super T> subscriber;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private long demand;
    private volatile Follow<T> follow;

    Subscription(Flow.Subscriber<? super T> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public synchronized void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("request(n) needs n > 0 (Reactive Streams §3.9)"));
        return;
      }
      demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      notifyAll();
    }

    @Override
    public void cancel() {
      if (cancelled.compareAndSet(false, true)) {
        var f = follow;
        if (f != null) {
          f.close();
        }
        synchronized (this) {
          notifyAll();
        }
      }
    }

    void run(Supplier<Follow<T>> follows) {
      try (var f = follows.get()) {
        follow = f;
        if (cancelled.get()) {
          return;
        }
        while (true) {
          synchronized (this) {
            while (demand == 0 && !cancelled.get()) {
              wait();
            }
          }
          if (cancelled.get()) {
            return;
          }
          if (!f.hasNext()) {
            if (!cancelled.get()) {
              subscriber.onComplete();
            }
            return;
          }
          T item = f.next();
          synchronized (this) {
            demand--;
          }
          subscriber.onNext(item);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (!cancelled.get()) {
          subscriber.onError(e);
        }
      }
    }
  }
}
