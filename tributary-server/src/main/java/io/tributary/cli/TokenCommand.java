package io.tributary.cli;

import io.tributary.client.TributaryClient;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary token}: mint a read-only token for one stream. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Mint a read-only token for one stream.",
      "An attempt stream (EXEC [--attempt N]) or one named stream",
      "(--stream NAME); needs the admin token in --token. Prints the token.",
      "Exit: 0; 4 not the admin token."
    })
final class TokenCommand extends ClientCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "EXEC", description = "Execution id.")
  String executionId;

  @Option(names = "--attempt", defaultValue = "0", description = "Attempt index (default ${DEFAULT-VALUE}).")
  long attempt;

  @Option(names = "--stream", description = "A named stream instead, e.g. chat/42.")
  String stream;

  @Option(names = "--ttl", defaultValue = "1h", converter = DurationConverter.class,
      description = "Lifetime (default ${DEFAULT-VALUE}; at most the server's --max-token-ttl).")
  Duration ttl;

  @Override
  int run(TributaryClient client) {
    if ((executionId == null) == (stream == null)) {
      throw new IllegalArgumentException("name exactly one stream: EXEC or --stream NAME");
    }
    String token =
        stream != null ? client.mintReadToken(stream, ttl) : client.mintReadToken(executionId, attempt, ttl);
    spec.commandLine().getOut().println(token);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
