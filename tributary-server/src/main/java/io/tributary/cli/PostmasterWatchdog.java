package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ties the embedded PostgreSQL's life to the server's: a tiny {@code sh} child that blocks reading
 * a pipe only this JVM writes to. However the JVM ends, the kernel closes the pipe; the watchdog
 * then asks the postmaster for a fast shutdown, so a server killed with {@code kill -9} leaves no
 * PostgreSQL behind.
 *
 * <p>It signals only the PID it was armed with, and only while that process still has the data
 * directory as its working directory (a postmaster's is its data directory): a PID reused by
 * anything else is left alone. A normal stop disarms it first.
 */
final class PostmasterWatchdog implements AutoCloseable {
  private static final String SCRIPT =
      "read -r _; [ \"$(readlink /proc/$1/cwd)\" = \"$2\" ] && kill -INT \"$1\"; exit 0";

  private final Process process;

  private PostmasterWatchdog(Process process) {
    this.process = process;
  }

  /**
   * Starts the watchdog for {@code postmaster} on {@code dataDirectory} (a real path).
   *
   * @throws UncheckedIOException when {@code sh} cannot be run
   */
  static PostmasterWatchdog arm(Postmaster postmaster, Path dataDirectory) {
    try {
      var process =
          new ProcessBuilder(
                  List.of("sh", "-c", SCRIPT, "tributary-pg-watchdog", Long.toString(postmaster.pid()), dataDirectory.toString()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      // stdin stays open and unwritten: its end of file is the signal
      return new PostmasterWatchdog(process);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the PostgreSQL watchdog: " + e.getMessage(), e);
    }
  }

  long pid() {
    return process.pid();
  }

  /**
   * Does what the server's death does: closes the pipe, so the watchdog checks and signals the
   * postmaster, then exits. For tests.
   */
  void fireAsIfTheServerDied() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True until the watchdog has exited. */
  boolean isAlive() {
    return process.isAlive();
  }

  /** Ends the watchdog without it signalling anything (SIGTERM kills {@code sh} inside {@code read}). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
