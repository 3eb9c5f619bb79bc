package io.tributary.postgres;

/** What the {@link GroupCommitter} needs to know of an append of any kind. */
interface QueuedAppend {
  /** Its outcome and deadline. */
  AppendTicket<?> ticket();

  /**
   * A hash of the stream it goes to: appends with the same hash go to the same committer (and so
   * keep their order), and share a stripe of the idle path.
   */
  int streamHash();

  /** Payload bytes it adds to a batch. */
  long payloadBytes();
}
