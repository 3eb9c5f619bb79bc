package io.tributary.cli;

import io.tributary.client.Follow;
import io.tributary.client.LiveMode;
import io.tributary.client.StoredFrame;
import io.tributary.client.TributaryClient;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
  @Parameters(index = "0", paramLabel = "EXEC", description = "Execution id.")
  String executionId;

  @Option(names = "--attempt", description = "Attempt index (default: the latest).")
  Long attempt;

  @Option(names = {"-f", "--follow"}, description = "Follow live until the attempt closes.")
  boolean follow;

  @Option(names = "--after", description = "Start after this frame id (default: from the first frame).")
  String after;

  @Option(names = "--live", defaultValue = "sse", description = "sse or long-poll (default ${DEFAULT-VALUE}).")
  String live;

  OutputStream out = new FileOutputStream(FileDescriptor.out);

  @Override
  int run(TributaryClient client) throws Exception {
    long index = attemptOrLatest(client, executionId, attempt);
    var printer = new FramePrinter(out, options.output);
    if (!follow) {
      String cursor = after == null ? "0-0" : after;
      while (true) {
        var page = client.tail(executionId, index, cursor, 0, 1000);
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
    var done = new CountDownLatch(1);
    try (Follow<StoredFrame> frames = client.follow(executionId, index, after, mode)) {
      var hook =
          new Thread(
              () -> {
                // Ctrl-C: end the follow cleanly, then let the JVM go
                frames.close();
                try {
                  done.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "tributary-tail-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
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
      } finally {
        done.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs now and ends once it sees the latch
        }
      }
    }
  }
}
