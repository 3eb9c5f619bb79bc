package io.tributary.cli;

import io.tributary.client.TributaryClient;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary read EXEC}: the frames between two cursors, then exit. */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    description = {
      "Print an attempt's frames in a range.",
      "Between --from and --to (both inclusive; start, end, <ms> or",
      "<ms>-<seq>). Exit: 0; 3 no such attempt; 4 token refused; 5 server unreachable."
    })
final class ReadCommand extends ClientCommand {
  private static final int PAGE = 1000;

  @Parameters(index = "0", paramLabel = "EXEC", description = "Execution id.")
  String executionId;

  @Option(names = "--attempt", description = "Attempt index (default: the latest).")
  Long attempt;

  @Option(names = "--from", defaultValue = "start", description = "First cursor (default ${DEFAULT-VALUE}).")
  String from;

  @Option(names = "--to", defaultValue = "end", description = "Last cursor (default ${DEFAULT-VALUE}).")
  String to;

  OutputStream out = new FileOutputStream(FileDescriptor.out);

  @Override
  int run(TributaryClient client) {
    long index = attemptOrLatest(client, executionId, attempt);
    var printer = new FramePrinter(out, options.output);
    String cursor = from;
    while (true) {
      var page = client.read(executionId, index, cursor, to, PAGE);
      page.frames().forEach(printer::frame);
      if (page.frames().size() < PAGE) {
        if (page.closed() && to.equals("end")) {
          printer.closed(page.closedReason());
        }
        return ExitCodes.OK;
      }
      String last = page.frames().get(page.frames().size() - 1).id();
      int dash = last.indexOf('-');
      cursor = last.substring(0, dash) + "-" + (Long.parseLong(last.substring(dash + 1)) + 1);
    }
  }
}
