package io.tributary.postgres;

/**
 * Frames this process has just committed to one stream, handed to the stream's parked readers with
 * their wake-up ({@link Waiter#wake(HandedFrames)}): a reader they answer exactly answers with them
 * instead of reading them back; any other reader queries as after any wake.
 */
sealed interface HandedFrames permits CommittedFrames, CommittedAttemptFrames {
  /** The stream the frames were appended to (the waiters' key). */
  long streamId();
}
