package io.tributary.cli;

import io.tributary.client.LiveMode;
import io.tributary.client.TributaryClient;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tributary summary EXEC [-f]}: the rolling summary, or each new version of it. */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = {
      "Print an attempt's summary; -f each new version.",
      "The document is one JSON line. With -f print each new version",
      "until the attempt closes. Exit: 0; 3 no summary (without -f) or no such attempt."
    })
final class SummaryCommand extends ClientCommand {
  @Mixin AttemptArgs target;

  @Option(names = {"-f", "--follow"}, description = "Print each new version until the attempt closes.")
  boolean follow;

  OutputStream out = new FileOutputStream(FileDescriptor.out);

  @Override
  int run(TributaryClient client) {
    long index = target.index(client);
    var printer = new FramePrinter(out, options.output);
    if (!follow) {
      var summary = client.summary(target.executionId, index);
      if (summary.isEmpty()) {
        err().println("tributary summary: attempt " + index + " of " + target.executionId + " has no summary yet");
        err().flush();
        return ExitCodes.NOT_FOUND;
      }
      printer.summary(summary.get());
      return ExitCodes.OK;
    }
    try (var versions = client.followSummary(target.executionId, index, LiveMode.SSE);
        var ctrlC = new CtrlC(versions, "tributary-summary-shutdown")) {
      while (versions.hasNext()) {
        printer.summary(versions.next());
      }
      return versions.streamClosed() ? ExitCodes.OK : ExitCodes.INTERRUPTED;
    }
  }
}
