package io.tributary.cli;

import io.tributary.client.CloseReason;
import io.tributary.client.NewFrame;
import io.tributary.client.TributaryClient;
import java.io.InputStream;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary pipe [EXEC]}: standard input becomes the frames of a new attempt. */
@Command(
    name = "pipe",
    mixinStandardHelpOptions = true,
    description = {
      "Record standard input as a new attempt.",
      "EXEC is minted when left out. Print",
      "'execution <id> attempt <n>' on stderr, append each line as a frame of --type, and close",
      "the attempt with attempt_success at the end of input. On a terminal, stderr shows the frames",
      "sent so far.",
      "Exit: 0; 3 no such execution; 5 server unreachable; 6 lease lost."
    })
final class PipeCommand extends ClientCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "EXEC", description = "Execution id (default: mint one).")
  String executionId;

  @Option(names = "--type", defaultValue = "stdout", description = "Frame type (default ${DEFAULT-VALUE}).")
  String type;

  @Option(names = "--lease-ttl", defaultValue = "30s", converter = DurationConverter.class,
      description = "Lease time to live, renewed while input flows (default ${DEFAULT-VALUE}).")
  Duration leaseTtl;

  @Option(names = "--max-frame-bytes", defaultValue = "" + RunCommand.DEFAULT_MAX_FRAME_BYTES,
      description = "Longest frame; longer lines are split (default ${DEFAULT-VALUE}).")
  int maxFrameBytes;

  InputStream in = System.in;

  @Override
  int run(TributaryClient client) throws Exception {
    String id = executionId != null ? executionId : client.mintExecution();
    var attempt = client.startAttempt(id, leaseTtl);
    err().println("execution " + attempt.executionId() + " attempt " + attempt.index());
    err().flush();
    var sender = new OrderedSender(attempt, err());
    var progress = ProgressBar.onTerminal(Tty.stderr(), err(), "frames", -1);
    var framer = new LineFramer(maxFrameBytes, bytes -> {
      sender.send(NewFrame.durable(type, bytes));
      if (progress != null) {
        progress.add(1, bytes.length);
      }
    });
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) > 0; ) {
      framer.feed(buffer, 0, n);
    }
    framer.finish();
    var failure = sender.finish();
    if (progress != null) {
      progress.finish();
    }
    if (failure != null) {
      throw failure;
    }
    attempt.close(CloseReason.ATTEMPT_SUCCESS);
    return ExitCodes.OK;
  }
}
