package io.tributary.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code tributary} command line. */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    version = "tributary 0.1.0-SNAPSHOT",
    description = "Durable, tailable output streams for jobs, workers and AI agents, on PostgreSQL.",
    subcommands = {
      ServeCommand.class,
      RunCommand.class,
      PipeCommand.class,
      AppendCommand.class,
      ReadCommand.class,
      TailCommand.class,
      SummaryCommand.class,
      TokenCommand.class,
      LsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TributaryCli {
  /** Builds the command line; tests use it to run commands with captured output. */
  public static CommandLine commandLine() {
    return new CommandLine(new TributaryCli());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
