package io.tributary.protocol.ds;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the Durable Streams handler, fixed at construction.
 *
 * @param longPollTimeout how long a long-poll waits for data before answering 204 (use 0.5 to 2 s
 *     under the conformance suite, e.g. 30 s in production)
 * @param sseMaxDuration how long one SSE response lasts before the server ends it and the client
 *     reconnects from its last offset (lets caches collapse live readers)
 * @param sseKeepAlive the longest an SSE response stays silent; a comment line is sent then, which
 *     also notices clients that went away
 * @param maxReadBytes about how many bytes one catch-up or long-poll response (or SSE data event)
 *     carries; one stored append is never split, so a larger one goes out whole
 * @param maxAppendBytes largest accepted {@code POST}/{@code PUT} body; larger ones get 413
 * @param maxLiveReaders most long-polls and SSE responses running at once; more get 503 with
 *     {@code Retry-After} (0: no cap)
 * @param producerGapWait longest a producer's request that arrived ahead of its predecessor (a
 *     {@code Producer-Seq} gap) waits for it before it is answered {@code 409 SEQUENCE_GAP}; zero
 *     answers at once (see {@link ProducerSequenceHold})
 */
public record DurableStreamsConfig(
    Duration longPollTimeout,
    Duration sseMaxDuration,
    Duration sseKeepAlive,
    int maxReadBytes,
    long maxAppendBytes,
    int maxLiveReaders,
    Duration producerGapWait) {

  public static final Duration DEFAULT_LONG_POLL_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SSE_MAX_DURATION = Duration.ofSeconds(60);
  public static final Duration DEFAULT_SSE_KEEP_ALIVE = Duration.ofSeconds(15);
  public static final int DEFAULT_MAX_READ_BYTES = 1 << 20;
  public static final long DEFAULT_MAX_APPEND_BYTES = 16L << 20;
  public static final int NO_LIVE_READER_CAP = 0;
  public static final Duration DEFAULT_PRODUCER_GAP_WAIT = Duration.ofMillis(200);

  public DurableStreamsConfig {
    Objects.requireNonNull(longPollTimeout, "longPollTimeout");
    Objects.requireNonNull(sseMaxDuration, "sseMaxDuration");
    Objects.requireNonNull(sseKeepAlive, "sseKeepAlive");
    if (longPollTimeout.isNegative() || sseMaxDuration.isNegative() || !sseKeepAlive.isPositive()) {
      throw new IllegalArgumentException("durations must not be negative (keep-alive positive)");
    }
    if (maxLiveReaders < 0) {
      throw new IllegalArgumentException("max live readers must be >= 0 (0: no cap)");
    }
    if (maxReadBytes < 1 || maxAppendBytes < 1) {
      throw new IllegalArgumentException("byte limits must be >= 1");
    }
    Objects.requireNonNull(producerGapWait, "producerGapWait");
    if (producerGapWait.isNegative()) {
      throw new IllegalArgumentException("producer gap wait must not be negative");
    }
  }

  /** The settings with the default {@link #DEFAULT_PRODUCER_GAP_WAIT}. */
  public DurableStreamsConfig(
      Duration longPollTimeout,
      Duration sseMaxDuration,
      Duration sseKeepAlive,
      int maxReadBytes,
      long maxAppendBytes,
      int maxLiveReaders) {
    this(longPollTimeout, sseMaxDuration, sseKeepAlive, maxReadBytes, maxAppendBytes, maxLiveReaders,
        DEFAULT_PRODUCER_GAP_WAIT);
  }

  /** The defaults, with the given long-poll timeout. */
  public static DurableStreamsConfig withLongPollTimeout(Duration longPollTimeout) {
    return new DurableStreamsConfig(
        longPollTimeout,
        DEFAULT_SSE_MAX_DURATION,
        DEFAULT_SSE_KEEP_ALIVE,
        DEFAULT_MAX_READ_BYTES,
        DEFAULT_MAX_APPEND_BYTES,
        NO_LIVE_READER_CAP);
  }

  /** All defaults. */
  public static DurableStreamsConfig defaults() {
    return withLongPollTimeout(DEFAULT_LONG_POLL_TIMEOUT);
  }
}
