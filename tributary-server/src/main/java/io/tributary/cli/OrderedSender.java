package io.tributary.cli;

import io.tributary.client.Attempt;
import io.tributary.client.NewFrame;
import io.tributary.client.TributaryClientException;
import java.io.PrintWriter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Appends frames to an attempt in the order given, on its own thread (frames that queued up while
 * a request was out go together in one batch request), so
 * that the producer (a child's output) is not held up by each round trip. When appends fail for
 * good (the lease was lost, the server stayed away), it says so once on stderr and drops the rest:
 * the command's own output is what matters most.
 */
final class OrderedSender {
  /** Frames waiting to be sent; a full queue makes the producer wait. */
  static final int QUEUE_FRAMES = 10_000;
  private static final NewFrame END = NewFrame.durable("end", new byte[0]);
  /** Most frames in one batch request (the server takes 1000). */
  static final int BATCH_FRAMES = 500;
  /** About the most payload bytes in one batch request (the server's body limit is 16 MiB). */
  static final long BATCH_BYTES = 4L << 20;

  private final Attempt attempt;
  private final PrintWriter err;
  private final BlockingQueue<NewFrame> queue = new ArrayBlockingQueue<>(QUEUE_FRAMES);
  private final Thread thread;
  private volatile TributaryClientException failure;

  OrderedSender(Attempt attempt, PrintWriter err) {
    this.attempt = attempt;
    this.err = err;
    this.thread = new Thread(this::drain, "tributary-sender");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues one frame (waits while the queue is full); dropped after a failure. */
  void send(NewFrame frame) {
    if (failure != null) {
      return;
    }
    try {
      queue.put(frame);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every queued frame was sent (or dropped); answers the failure, if any. */
  TributaryClientException finish() throws InterruptedException {
    queue.put(END);
    thread.join();
    return failure;
  }

  private void drain() {
    while (true) {
      NewFrame frame;
      try {
        frame = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (frame == END) {
        return;
      }
      if (failure != null) {
        continue;
      }
      // whatever queued up meanwhile goes out with it, in one all-or-nothing batch
      var batch = new java.util.ArrayList<NewFrame>();
      batch.add(frame);
      long bytes = frame.payload().length;
      boolean end = false;
      NewFrame next;
      while (batch.size() < BATCH_FRAMES && bytes < BATCH_BYTES && (next = queue.poll()) != null) {
        if (next == END) {
          end = true;
          break;
        }
        batch.add(next);
        bytes += next.payload().length;
      }
      try {
        if (batch.size() == 1) {
          attempt.append(frame);
        } else {
          attempt.appendBatch(batch);
        }
      } catch (TributaryClientException e) {
        failure = e;
        err.println("tributary: appending failed, output is no longer recorded: " + e.getMessage());
        err.flush();
      }
      if (end) {
        return;
      }
    }
  }
}
