package io.tributary.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether a standard stream of this process is a terminal. The JDK only tells for the console as
 * a whole ({@code System.console()}, which looks at stdin and stdout), but a progress bar belongs
 * on stderr exactly when stdout is redirected, so each descriptor is checked on its own.
 */
final class Tty {
  private Tty() {}

  /** True when standard error is a terminal. */
  static boolean stderr() {
    return isTerminal(2);
  }

  /** True when standard output is a terminal. */
  static boolean stdout() {
    return isTerminal(1);
  }

  private static boolean isTerminal(int fd) {
    var link = Path.of("/proc/self/fd/" + fd);
    if (Files.exists(Path.of("/proc/self/fd"))) {
      try {
        var target = Files.readSymbolicLink(link).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    // no /proc (macOS, BSD): ask test(1), which sees the descriptor we hand it
    try {
      var builder = new ProcessBuilder("sh", "-c", "[ -t " + fd + " ]").redirectInput(ProcessBuilder.Redirect.PIPE);
      if (fd == 1) {
        builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
      } else {
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
      }
      var process = builder.start();
      return process.waitFor(2, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
