package io.tributary.cli;

/**
 * Exit statuses of the client commands ({@code run} exits with its command's status instead,
 * except for {@link #RUN_FAILED}, {@link #CANNOT_EXECUTE} and {@link #COMMAND_NOT_FOUND}).
 */
final class ExitCodes {
  static final int OK = 0;
  /** The server refused the request, or answered something unexpected. */
  static final int FAILED = 1;
  /** Bad command line (picocli's own). */
  static final int USAGE = 2;
  /** No such execution, attempt, summary or stream. */
  static final int NOT_FOUND = 3;
  /** Missing, wrong or insufficient token. */
  static final int ACCESS_DENIED = 4;
  /** No server reachable (or busy) through every retry. */
  static final int UNAVAILABLE = 5;
  /** The attempt is closed or its lease is held by someone else. */
  static final int CLOSED_OR_LOST = 6;
  /** {@code run} could not set up the attempt (mint, start) or failed itself. */
  static final int RUN_FAILED = 125;
  /** {@code run}: the command exists but cannot be executed. */
  static final int CANNOT_EXECUTE = 126;
  /** {@code run}: the command was not found. */
  static final int COMMAND_NOT_FOUND = 127;
  /** Stopped by Ctrl-C (SIGINT). */
  static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
