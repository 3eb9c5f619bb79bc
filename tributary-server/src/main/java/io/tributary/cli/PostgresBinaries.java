package io.tributary.cli;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries packaged in the jar (zonky's {@code postgres-linux-x86_64.txz}),
 * unpacked once per content into {@code ${java.io.tmpdir}/tributary-pg/PG-<sha256>}. We run them
 * ourselves rather than through zonky's {@code EmbeddedPostgres}: that one always passes {@code
 * -F} (fsync off), daemonizes the postmaster through {@code pg_ctl} (so it outlives a killed
 * server) and waits its whole startup timeout when PostgreSQL has already refused to start.
 */
final class PostgresBinaries {
  private static final String ARCHIVE_SYSTEM = "Linux";
  private static final String ARCHIVE_ARCHITECTURE = "x86_64";

  private final Path home;

  private PostgresBinaries(Path home) {
    this.home = home;
  }

  private static volatile PostgresBinaries unpacked;

  /**
   * The unpacked binaries, unpacking them on first use. Concurrent processes may both unpack; each
   * moves its copy into place atomically and the loser throws its copy away.
   *
   * @throws IllegalStateException when the archive is missing (not Linux x86-64) or cannot be
   *     unpacked
   */
  static PostgresBinaries unpacked() {
    var found = unpacked;
    if (found == null) {
      synchronized (PostgresBinaries.class) {
        found = unpacked;
        if (found == null) {
          found = unpack(Path.of(System.getProperty("java.io.tmpdir"), "tributary-pg"));
          unpacked = found;
        }
      }
    }
    return found;
  }

  private static PostgresBinaries unpack(Path root) {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      throw new IllegalStateException(
          "the embedded PostgreSQL runs on Linux x86-64 only; pass --db to use your own PostgreSQL");
    }
    try {
      byte[] archive;
      String digest;
      try (InputStream raw = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(ARCHIVE_SYSTEM, ARCHIVE_ARCHITECTURE);
          var in = new DigestInputStream(raw, MessageDigest.getInstance("SHA-256"))) {
        archive = in.readAllBytes();
        digest = HexFormat.of().formatHex(in.getMessageDigest().digest(), 0, 16);
      }
      Path home = root.resolve("PG-" + digest);
      if (Files.isExecutable(home.resolve("bin/postgres"))) {
        return new PostgresBinaries(home);
      }
      Files.createDirectories(root);
      Path staging = root.resolve("PG-" + digest + ".unpacking-" + UUID.randomUUID());
      extract(archive, staging);
      try {
        Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
        // another process was faster; its copy has the same content
        deleteTree(staging);
      }
      return new PostgresBinaries(home);
    } catch (IOException e) {
      throw new UncheckedIOException("could not unpack the embedded PostgreSQL binaries: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void extract(byte[] archive, Path target) throws IOException {
    Files.createDirectories(target);
    try (var tar = new TarArchiveInputStream(new XZInputStream(new java.io.ByteArrayInputStream(archive)))) {
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        Path file = target.resolve(entry.getName()).normalize();
        if (!file.startsWith(target)) {
          throw new IOException("archive entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(file);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(file.getParent());
          Files.createSymbolicLink(file, Path.of(entry.getLinkName()));
        } else if (entry.isFile()) {
          Files.createDirectories(file.getParent());
          Files.copy(tar, file);
          if ((entry.getMode() & 0100) != 0 || entry.getName().startsWith("bin/")) {
            file.toFile().setExecutable(true, false);
          }
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Where the binaries are; {@code bin/postgres} is the server. */
  Path home() {
    return home;
  }

  /**
   * The command line that runs {@code bin/<program>} with {@code args}. As root it runs under
   * {@code unshare -U}: PostgreSQL refuses to run as root, and in a fresh user namespace root
   * shows as an unmapped user that owns the (root-owned) data directory just the same.
   */
  List<String> command(String program, List<String> args) {
    var command = new ArrayList<String>();
    if (LinuxUtils.isUnshareAvailable()) {
      command.addAll(List.of("unshare", "-U"));
    }
    command.add(home.resolve("bin").resolve(program).toString());
    command.addAll(args);
    return command;
  }
}
