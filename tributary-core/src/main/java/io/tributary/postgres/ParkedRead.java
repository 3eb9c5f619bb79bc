package io.tributary.postgres;

import io.tributary.api.UnavailableException;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The one parked-read loop of both stores (attempt tails and named-stream awaits): register with
 * the {@link Notifier} before re-querying, so an append between the first query and the park is
 * not missed; park without a connection; re-query on every wake, re-check or at the deadline.
 *
 * <p>Why a parked reader rides out an outage instead of failing: it already answered its
 * caller's question once ("nothing new yet"), and failing it would make every reader of every
 * stream reconnect at once when the database returns. At its deadline it answers with what its
 * last successful query saw, as a read that timed out does.
 */
final class ParkedRead {
  private ParkedRead() {}

  /**
   * Parks until {@code answered} holds for a re-query, the deadline passes or the notifier drains.
   *
   * @param seen the result of the query made before parking (it did not answer)
   * @param key the wake-up key a result waits on (a stream id, or {@link Notifier#ATTEMPT_STARTED});
   *     when a re-query names another key the reader re-registers on it
   * @param beforeRequery runs with the current wake-up key before each re-query (the attempt store
   *     marks the stream watched there, so that appends notify it)
   * @param requery the read to repeat, given the frames this process handed with the wake that
   *     ended the park (null when none: a notification, a re-check, the first query); it may
   *     answer with them instead of querying when they answer its read; an {@link
   *     UnavailableException} from it is waited out
   * @param deadlineNanos {@link System#nanoTime()} at which to give up
   * @return the first answering result, else the last one seen
   */
  static <R> R park(
      Notifier notifier,
      R seen,
      ToLongFunction<R> key,
      LongConsumer beforeRequery,
      Function<HandedFrames, R> requery,
      Predicate<R> answered,
      long deadlineNanos)
      throws InterruptedException {
    Waiter waiter = notifier.register(key.applyAsLong(seen));
    try {
      R last = seen;
      while (true) {
        R again;
        var event = new WakeEvents.ParkedRequery();
        event.begin();
        try {
          beforeRequery.accept(waiter.streamId());
          again = requery.apply(waiter.take());
        } catch (UnavailableException e) {
          // the database is away: keep waiting, the next wake or re-check tries again
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            return last;
          }
          waiter.await(left);
          continue;
        }
        last = again;
        boolean done = answered.test(last);
        if (event.shouldCommit()) {
          event.streamId = waiter.streamId();
          event.answered = done;
          event.commit();
        }
        if (done) {
          return last;
        }
        long k = key.applyAsLong(last);
        if (waiter.streamId() != k) {
          waiter.close();
          waiter = notifier.register(k);
          continue;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || notifier.isDraining()) {
          return last;
        }
        waiter.await(left);
      }
    } finally {
      waiter.close();
    }
  }
}
