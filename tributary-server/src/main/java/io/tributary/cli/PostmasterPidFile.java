package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * PostgreSQL's lock file {@code <dataDir>/postmaster.pid}: line 1 is the postmaster's PID, line 4
 * its port. PostgreSQL writes it at start and removes it at a clean stop; a crashed postmaster
 * leaves it behind.
 *
 * @param pid the postmaster's process id
 * @param port its TCP port, or -1 while it has not written one yet
 */
record PostmasterPidFile(long pid, int port) {
  static final String NAME = "postmaster.pid";

  /**
   * Reads the lock file of {@code dataDirectory}.
   *
   * @return empty when there is none, or when it is being written and has no PID yet
   * @throws UncheckedIOException when it exists but cannot be read
   */
  static Optional<PostmasterPidFile> read(Path dataDirectory) {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDirectory.resolve(NAME));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + dataDirectory.resolve(NAME) + ": " + e, e);
    }
    if (lines.isEmpty() || lines.getFirst().isBlank()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.getFirst().strip());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    int port = -1;
    if (lines.size() >= 4) {
      try {
        port = Integer.parseInt(lines.get(3).strip());
      } catch (NumberFormatException e) {
        // not written yet
      }
    }
    return Optional.of(new PostmasterPidFile(pid, port));
  }
}
