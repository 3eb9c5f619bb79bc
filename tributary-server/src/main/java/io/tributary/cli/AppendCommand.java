package io.tributary.cli;

import io.tributary.client.NewFrame;
import io.tributary.client.TributaryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary append}: one frame to an attempt whose handle you hold. */
@Command(
    name = "append",
    mixinStandardHelpOptions = true,
    description = {
      "Append one frame to an attempt you hold.",
      "DATA, or standard input when DATA is left out, goes to an attempt held by",
      "its handle. Inside 'tributary run' the execution, attempt and handle come from the",
      "environment (TRIBUTARY_EXECUTION, TRIBUTARY_ATTEMPT, TRIBUTARY_HANDLE).",
      "Prints the frame id. Exit: 0; 1 refused (bad frame, key reused); 6 closed or lease lost."
    })
final class AppendCommand extends ClientCommand {
  @Option(names = "--execution", defaultValue = "${env:TRIBUTARY_EXECUTION}", description = "Execution id (env TRIBUTARY_EXECUTION).")
  String executionId;

  @Option(names = "--attempt", defaultValue = "${env:TRIBUTARY_ATTEMPT}", description = "Attempt index (env TRIBUTARY_ATTEMPT).")
  Long attempt;

  @Option(names = "--handle", defaultValue = "${env:TRIBUTARY_HANDLE}", description = "The attempt's handle (env TRIBUTARY_HANDLE).")
  String handle;

  @Option(names = "--type", defaultValue = "event", description = "Frame type (default ${DEFAULT-VALUE}).")
  String type;

  @Option(names = "--mode", defaultValue = "durable", description = "durable, summary (DATA is a JSON merge patch) or best_effort.")
  String mode;

  @Option(names = "--ttl", converter = DurationConverter.class, description = "best_effort only: how long live readers see it.")
  Duration ttl;

  @Option(names = "--key", description = "Idempotency key: appending the same frame with it again stores it once.")
  String key;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DATA", description = "The payload (default: standard input).")
  String data;

  @Override
  int run(TributaryClient client) throws Exception {
    if (executionId == null || attempt == null || handle == null) {
      throw new IllegalArgumentException("needs --execution, --attempt and --handle (or the TRIBUTARY_* variables 'run' sets)");
    }
    byte[] payload = data != null ? data.getBytes(StandardCharsets.UTF_8) : System.in.readAllBytes();
    var frame =
        mode.equals("summary") ? NewFrame.summaryPatch(new String(payload, StandardCharsets.UTF_8))
            : mode.equals("best_effort") ? NewFrame.bestEffort(type, payload, ttl == null ? Duration.ofSeconds(60) : ttl)
            : new NewFrame(type, payload, mode, null, null);
    var target = client.attach(executionId, attempt, handle);
    var appended =
        key == null ? target.append(frame) : target.append(frame, key);
    spec.commandLine().getOut().println(appended.id() + (appended.replayed() ? " (replayed)" : ""));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
