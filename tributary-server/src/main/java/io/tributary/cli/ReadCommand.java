package io.tributary.cli;

import io.tributary.client.TributaryClient;
import io.tributary.client.TributaryClientException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tributary read EXEC}: the frames between two cursors, then exit. */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    description = {
      "Print an attempt's frames in a range.",
      "Between --from and --to (both inclusive; start, end, <ms> or",
      "<ms>-<seq>). With stdout redirected and stderr on a terminal, a progress bar shows on stderr.",
      "Exit: 0; 3 no such attempt; 4 token refused; 5 server unreachable."
    })
final class ReadCommand extends ClientCommand {
  private static final int PAGE = 1000;

  @Mixin AttemptArgs target;

  @Option(names = "--from", defaultValue = "start", description = "First cursor (default ${DEFAULT-VALUE}).")
  String from;

  @Option(names = "--to", defaultValue = "end", description = "Last cursor (default ${DEFAULT-VALUE}).")
  String to;

  OutputStream out = new FileOutputStream(FileDescriptor.out);

  @Override
  int run(TributaryClient client) {
    long index = target.index(client);
    var printer = new FramePrinter(out, options.output);
    // a long read into a file shows its progress on the terminal; on screen the frames are enough
    var progress = ProgressBar.onTerminal(Tty.stderr() && !Tty.stdout(), err(), "frames", expectedFrames(client, index));
    String cursor = from;
    while (true) {
      var page = client.read(target.executionId, index, cursor, to, PAGE);
      page.frames().forEach(printer::frame);
      if (progress != null) {
        progress.add(page.frames().size(), page.frames().stream().mapToLong(f -> f.payload().length).sum());
      }
      if (page.frames().size() < PAGE) {
        if (page.closed() && to.equals("end")) {
          printer.closed(page.closedReason());
        }
        if (progress != null) {
          progress.finish();
        }
        return ExitCodes.OK;
      }
      String last = page.frames().get(page.frames().size() - 1).id();
      int dash = last.indexOf('-');
      cursor = last.substring(0, dash) + "-" + (Long.parseLong(last.substring(dash + 1)) + 1);
    }
  }

  /**
   * About how many frames a whole-stream read returns (the attempt's lifetime appends, which also
   * count trimmed frames), or -1 when unknown: a partial range, or a token that may not look.
   */
  private long expectedFrames(TributaryClient client, long index) {
    if (!from.equals("start") || !to.equals("end") || !Tty.stderr()) {
      return -1;
    }
    try {
      return client.execution(target.executionId).flatMap(d -> d.attempts().stream()
          .filter(a -> a.attemptIndex() == index).findFirst()).map(a -> a.frameCount()).orElse(-1L);
    } catch (TributaryClientException e) {
      return -1;
    }
  }
}
