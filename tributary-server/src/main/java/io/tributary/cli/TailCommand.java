package io.tributary.cli;

import io.tributary.client.Follow;
import io.tributary.client.LiveMode;
import io.tributary.client.StoredFrame;
import io.tributary.client.TributaryClient;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tributary tail [-f] EXEC}: the frames so far, or (-f) live until the attempt closes. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Print an attempt's frames; -f follows live until it closes.",
      "With -f keep following live (resuming by itself after a",
      "reconnect, a server restart or a move to another --server) until the attempt closes; the",
      "close reason goes to stderr. Exit: 0 (also when the stream closed); 3 no such attempt;",
      "4 token refused; 5 server unreachable for too long; 130 after Ctrl-C."
    })
final class TailCommand extends ClientCommand {
  @Mixin AttemptArgs target;

  @Option(names = {"-f", "--follow"}, description = "Follow live until the attempt closes.")
  boolean follow;

  @Option(names = "--after", description = "Start after this frame id (default: from the first frame).")
  String after;

  @Option(names = "--live", defaultValue = "sse", description = "sse or long-poll (default ${DEFAULT-VALUE}).")
  String live;

  OutputStream out = new FileOutputStream(FileDescriptor.out);

  @Override
  int run(TributaryClient client) throws Exception {
    long index = target.index(client);
    var printer = new FramePrinter(out, options.output);
    if (!follow) {
      String cursor = after == null ? "0-0" : after;
      while (true) {
        var page = client.tail(target.executionId, index, cursor, 0, 1000);
        page.frames().forEach(printer::frame);
        if (page.frames().isEmpty()) {
          if (page.closed()) {
            printer.closed(page.closedReason());
          }
          return ExitCodes.OK;
        }
        cursor = page.frames().get(page.frames().size() - 1).id();
      }
    }
    var mode = live.equals("long-poll") ? LiveMode.LONG_POLL : LiveMode.SSE;
    try (Follow<StoredFrame> frames = client.follow(target.executionId, index, after, mode);
        var ctrlC = new CtrlC(frames, "tributary-tail-shutdown")) {
      while (frames.hasNext()) {
        printer.frame(frames.next());
      }
      if (frames.streamClosed()) {
        String reason = frames.closeReason().orElse("closed");
        printer.closed(reason);
        if (options.output == ClientOptions.Output.human) {
          err().println("attempt " + index + " closed: " + reason);
          err().flush();
        }
        return ExitCodes.OK;
      }
      return ExitCodes.INTERRUPTED;
    }
  }
}
