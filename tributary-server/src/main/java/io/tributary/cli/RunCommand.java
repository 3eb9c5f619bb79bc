package io.tributary.cli;

import io.tributary.client.Attempt;
import io.tributary.client.CloseReason;
import io.tributary.client.NewFrame;
import io.tributary.client.TributaryClient;
import io.tributary.client.TributaryClientException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary run -- CMD [ARGS…]}: runs a command as an attempt, recording its stdout and
 * stderr as frames while passing them through unchanged.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a command as an attempt, recording its output.",
      "Mint an execution (or start the next attempt of --execution),",
      "print 'execution <id> attempt <n>' on stderr, record CMD's stdout and stderr as frames of",
      "type stdout/stderr (one per line, long lines split at --max-frame-bytes) while passing them",
      "through unchanged, renew the lease while CMD runs, close the attempt with attempt_success",
      "(exit 0) or attempt_failure, and exit with CMD's exit status.",
      "CMD sees TRIBUTARY_URL, TRIBUTARY_EXECUTION, TRIBUTARY_ATTEMPT and TRIBUTARY_HANDLE, so it",
      "can add frames of its own with 'tributary append'.",
      "Exit: CMD's status; 125 when the attempt could not be started; 126 CMD not executable;",
      "127 CMD not found; 130 after Ctrl-C (the attempt is closed attempt_cancelled)."
    })
final class RunCommand extends ClientCommand {
  /** The server's default frame limit. */
  static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
  private static final int READ_BUFFER = 8192;

  @Option(names = "--execution", description = "Start the next attempt of this execution instead of minting one.")
  String executionId;

  @Option(
      names = "--lease-ttl",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Lease time to live, renewed every third of it (default ${DEFAULT-VALUE}).")
  Duration leaseTtl;

  @Option(
      names = "--max-frame-bytes",
      defaultValue = "" + DEFAULT_MAX_FRAME_BYTES,
      description = "Longest frame; longer lines are split (match the server's --max-frame-bytes; default ${DEFAULT-VALUE}).")
  int maxFrameBytes;

  @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
  List<String> command;

  @Override
  int run(TributaryClient client) throws Exception {
    Attempt attempt;
    try {
      String id = executionId != null ? executionId : client.mintExecution();
      attempt =
          client.startAttempt(
              id, leaseTtl,
              lost -> {
                err().println("tributary run: lease lost, output is no longer recorded: " + lost.getMessage());
                err().flush();
              });
    } catch (TributaryClientException e) {
      err().println("tributary run: could not start an attempt: " + e.getMessage());
      err().flush();
      return ExitCodes.RUN_FAILED;
    }
    err().println("execution " + attempt.executionId() + " attempt " + attempt.index());
    err().flush();

    var builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
    var env = builder.environment();
    env.put("TRIBUTARY_URL", options.server);
    env.put("TRIBUTARY_EXECUTION", attempt.executionId());
    env.put("TRIBUTARY_ATTEMPT", Long.toString(attempt.index()));
    env.put("TRIBUTARY_HANDLE", attempt.handle());
    Process child;
    try {
      child = builder.start();
    } catch (IOException e) {
      // the JDK words it "error=2, No such file or directory" (ENOENT), whichever way it spawns
      boolean missing = String.valueOf(e.getMessage()).contains("No such file or directory");
      err().println("tributary run: cannot run " + command.get(0) + ": " + e.getMessage());
      err().flush();
      closeQuietly(attempt, CloseReason.ATTEMPT_FAILURE);
      return missing ? ExitCodes.COMMAND_NOT_FOUND : ExitCodes.CANNOT_EXECUTE;
    }

    var done = new CountDownLatch(1);
    var interrupted = new java.util.concurrent.atomic.AtomicBoolean();
    var hook =
        new Thread(
            () -> {
              // Ctrl-C reached the child too (same process group): let this run close the attempt
              interrupted.set(true);
              try {
                if (!child.waitFor(5, TimeUnit.SECONDS)) {
                  child.destroy();
                }
                done.await(15, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "tributary-run-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    var sender = new OrderedSender(attempt, err());
    var stdout = pump(child.getInputStream(), new FileOutputStream(FileDescriptor.out), "stdout", sender);
    var stderr = pump(child.getErrorStream(), new FileOutputStream(FileDescriptor.err), "stderr", sender);
    int status = child.waitFor();
    stdout.join();
    stderr.join();
    var failure = sender.finish();
    if (failure == null && !attempt.leaseLost()) {
      var reason =
          interrupted.get() ? CloseReason.ATTEMPT_CANCELLED
              : status == 0 ? CloseReason.ATTEMPT_SUCCESS : CloseReason.ATTEMPT_FAILURE;
      closeQuietly(attempt, reason);
    }
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running; it ends once it sees the latch
    }
    return status;
  }

  private void closeQuietly(Attempt attempt, CloseReason reason) {
    try {
      attempt.close(reason);
    } catch (TributaryClientException e) {
      err().println("tributary run: could not close the attempt: " + e.getMessage());
      err().flush();
    }
  }

  /** Copies the child's stream to ours as it comes, and frames it line by line. */
  private Thread pump(InputStream from, OutputStream to, String type, OrderedSender sender) {
    var framer = new LineFramer(maxFrameBytes, bytes -> sender.send(NewFrame.durable(type, bytes)));
    var thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[READ_BUFFER];
              try (from) {
                int n;
                while ((n = from.read(buffer)) > 0) {
                  to.write(buffer, 0, n);
                  to.flush();
                  framer.feed(buffer, 0, n);
                }
              } catch (IOException e) {
                // the child's pipe broke: what was read is framed below
              }
              framer.finish();
            },
            "tributary-" + type);
    thread.start();
    return thread;
  }
}
