package io.tributary.client;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A live read of a stream: an iterator that blocks in {@link #hasNext()} until the next item
 * arrives, reconnecting and resuming by itself, and that ends when the stream is closed (then
 * {@link #closeReason()} tells why) or when {@link #close()} is called, from any thread.
 *
 * <p>Not for use by several threads at once, except {@link #close()}.
 *
 * @param <T> {@link StoredFrame}, {@link NamedChunk} or {@link Summary}
 */
public final class Follow<T> implements Iterator<T>, AutoCloseable {
  /** Where the items come from: batches, then null at the end. */
  interface Source<T> extends AutoCloseable {
    /** The next batch (possibly empty), or null once there is nothing more. */
    List<T> next();

    /** The resume point before the first item. */
    String start();

    /** The resume point right after {@code item}. */
    String positionAfter(T item);

    /** Why the stream was closed, once it was; null otherwise. */
    String closeReason();

    /** Whether the source ended because the stream is closed. */
    boolean streamClosed();

    @Override
    void close();
  }

  private final Source<T> source;
  private final ArrayDeque<T> buffer = new ArrayDeque<>();
  private volatile boolean closed;
  private boolean exhausted;
  private volatile String position;

  Follow(Source<T> source) {
    this.source = source;
    this.position = source.start();
  }

  /**
   * Waits until an item is available (true) or the follow ended (false): the stream was closed
   * and every item before the close was returned, or {@link #close()} was called.
   *
   * @throws TributaryClientException when the server refuses the read, or could not be reached
   *     for longer than the client's give-up time
   */
  @Override
  public boolean hasNext() {
    while (buffer.isEmpty() && !exhausted && !closed) {
      var batch = source.next();
      if (batch == null) {
        exhausted = true;
      } else {
        buffer.addAll(batch);
      }
    }
    return !buffer.isEmpty() && !closed;
  }

  /** The next item, waiting for it. */
  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the follow has ended");
    }
    T item = buffer.poll();
    position = source.positionAfter(item);
    return item;
  }

  /** The items as a sequential stream; closing the stream closes this follow. */
  public Stream<T> stream() {
    var spliterator = Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL);
    return StreamSupport.stream(spliterator, false).onClose(this::close);
  }

  /**
   * Why the stream was closed ({@code attempt_success}, …) once the follow ended because of the
   * close; empty while it runs, after {@link #close()}, and for named streams (which have no
   * reason, see {@link #streamClosed()}).
   */
  public Optional<String> closeReason() {
    return Optional.ofNullable(source.closeReason());
  }

  /** Whether the follow ended because the stream was closed. */
  public boolean streamClosed() {
    return source.streamClosed() && buffer.isEmpty();
  }

  /**
   * Where to resume a later follow so that it starts right after the last item returned: a frame
   * id for attempt streams, an offset for named streams. Items fetched but not yet returned are
   * not counted.
   */
  public String position() {
    return position;
  }

  /** Ends the follow and its connection; a waiting {@link #hasNext()} returns false. Idempotent. */
  @Override
  public void close() {
    closed = true;
    source.close();
  }
}
