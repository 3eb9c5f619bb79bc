package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One initdb per test JVM: a stopped cluster made by {@link EmbeddedDatabase} (same initdb
 * options, database {@code tributary} created), copied into each test's data directory. An
 * initdb syncs every file it writes and takes seconds on a busy machine; a copy does not.
 */
public final class ClusterTemplate {
  private static Path template;

  private ClusterTemplate() {}

  /** Puts a fresh copy of the template cluster at {@code target} (which must not exist) and returns it. */
  public static synchronized Path copyTo(Path target) {
    try {
      if (template == null) {
        Path dir = Files.createTempDirectory("tributary-cluster-template").resolve("pg");
        EmbeddedDatabase.start(dir).close();
        template = dir;
      }
      try (var files = Files.walk(template)) {
        for (Path from : files.toList()) {
          String name = from.getFileName().toString();
          if (name.equals(EmbeddedDatabase.LOG_FILE) || name.equals(DataDirectoryLock.NAME)) {
            continue;
          }
          Files.copy(from, target.resolve(template.relativize(from).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
