package io.tributary.cli;

import io.tributary.client.AccessDeniedException;
import io.tributary.client.LeaseLostException;
import io.tributary.client.NotFoundException;
import io.tributary.client.StreamClosedException;
import io.tributary.client.TributaryClient;
import io.tributary.client.TributaryClientException;
import io.tributary.client.UnavailableException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a server through the SDK: a refusal becomes one line on stderr and
 * an exit status from {@link ExitCodes}, never a stack trace.
 */
abstract class ClientCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Spec CommandSpec spec;

  /** Does the command's work with a connected client; answers the exit status. */
  abstract int run(TributaryClient client) throws Exception;

  @Override
  public final Integer call() throws Exception {
    try (var client = options.client()) {
      return run(client);
    } catch (TributaryClientException e) {
      err().println("tributary " + spec.name() + ": " + e.getMessage());
      err().flush();
      return exitCode(e);
    } catch (IllegalArgumentException e) {
      err().println("tributary " + spec.name() + ": " + e.getMessage());
      err().flush();
      return ExitCodes.USAGE;
    }
  }

  static int exitCode(TributaryClientException e) {
    if (e instanceof NotFoundException) {
      return ExitCodes.NOT_FOUND;
    }
    if (e instanceof AccessDeniedException) {
      return ExitCodes.ACCESS_DENIED;
    }
    if (e instanceof UnavailableException) {
      return ExitCodes.UNAVAILABLE;
    }
    if (e instanceof StreamClosedException || e instanceof LeaseLostException) {
      return ExitCodes.CLOSED_OR_LOST;
    }
    return ExitCodes.FAILED;
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
