package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <dataDir>/tributary.lock}, held by the server that runs the data
 * directory's PostgreSQL for as long as it runs. The operating system drops it when that server
 * dies, however it dies, so holding it proves no live server owns the directory: a postmaster
 * still running there is then an orphan. The file names the holder's PID for error messages.
 */
final class DataDirectoryLock implements AutoCloseable {
  static final String NAME = "tributary.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock without waiting.
   *
   * @throws IllegalStateException when another server (process, or one in this JVM) holds it
   * @throws UncheckedIOException when the file cannot be opened
   */
  static DataDirectoryLock acquire(Path dataDirectory) {
    Path file = dataDirectory.resolve(NAME);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open " + file + ": " + e, e);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = holder(file);
        channel.close();
        throw new IllegalStateException(
            "the data directory is in use by another running server" + holder
                + "; stop it or pass another --data-dir");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      return new DataDirectoryLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("could not lock " + file + ": " + e, e);
    }
  }

  private static String holder(Path file) {
    try {
      String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
      return pid.isEmpty() ? "" : " (PID " + pid + ")";
    } catch (IOException e) {
      return "";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already failing with a better reason
    }
  }

  /** Releases the lock; the file stays (deleting it would race with the next holder). */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    closeQuietly(channel);
  }
}
