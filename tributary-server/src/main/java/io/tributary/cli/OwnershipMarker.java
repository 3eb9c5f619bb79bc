package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code <dataDir>/tributary-postmaster}: which postmaster a server started on this directory
 * (its PID and its start time, as the kernel reports it) and which server did. A later server
 * that finds that very process still running, with the directory's lock free (so its server is
 * dead), may stop it as an orphan. The start time rules out a PID reused by another process.
 */
final class OwnershipMarker {
  static final String NAME = "tributary-postmaster";

  private final Path file;

  OwnershipMarker(Path dataDirectory) {
    this.file = dataDirectory.resolve(NAME);
  }

  /** Records {@code postmaster} as started by this process (written atomically). */
  void record(Postmaster postmaster) {
    String started = startOf(postmaster.handle()).map(Instant::toString).orElse("unknown");
    String text = postmaster.pid() + "\n" + started + "\n" + ProcessHandle.current().pid() + "\n";
    try {
      Path tmp = file.resolveSibling(NAME + ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e, e);
    }
  }

  /**
   * True when {@code process} is the postmaster recorded here: same PID, same start time, and
   * its working directory is {@code dataDirectory}. False when anything is missing or differs.
   */
  boolean provesOurs(ProcessHandle process, Path dataDirectory) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
    if (lines.size() < 2 || !lines.get(0).strip().equals(Long.toString(process.pid()))) {
      return false;
    }
    Optional<Instant> started = startOf(process);
    if (started.isEmpty() || !lines.get(1).strip().equals(started.get().toString())) {
      return false;
    }
    try {
      return Files.isSameFile(Path.of("/proc", Long.toString(process.pid()), "cwd"), dataDirectory);
    } catch (IOException e) {
      return false;
    }
  }

  /** The server PID that recorded the postmaster, for messages; empty when unknown. */
  Optional<String> recordedBy() {
    try {
      var lines = Files.readAllLines(file);
      return lines.size() >= 3 ? Optional.of(lines.get(2).strip()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Forgets the postmaster (after it was stopped). */
  void clear() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover marker proves nothing once its postmaster is gone
    }
  }

  private static Optional<Instant> startOf(ProcessHandle process) {
    return process.info().startInstant();
  }
}
