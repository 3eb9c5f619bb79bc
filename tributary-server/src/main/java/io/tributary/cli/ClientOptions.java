package io.tributary.cli;

import io.tributary.client.TributaryClient;
import picocli.CommandLine.Option;

/** Where the server is and how to talk to it: shared by every client command. */
final class ClientOptions {
  static final String DEFAULT_SERVER = "http://127.0.0.1:4437";

  @Option(
      names = "--server",
      defaultValue = "${env:TRIBUTARY_URL:-" + DEFAULT_SERVER + "}",
      description = "Server URL; several servers of one deployment separated by commas"
          + " (env TRIBUTARY_URL, default ${DEFAULT-VALUE}).")
  String server;

  @Option(
      names = "--token",
      defaultValue = "${env:TRIBUTARY_TOKEN}",
      description = "Bearer token: the admin token or a read token (env TRIBUTARY_TOKEN, preferred:"
          + " flags show in ps).")
  String token;

  @Option(
      names = "--output",
      defaultValue = "human",
      description = "human (payloads as text) or json (one JSON object per line). Default: ${DEFAULT-VALUE}.")
  Output output;

  /** Output formats. */
  enum Output {
    human,
    json
  }

  TributaryClient client() {
    var builder = TributaryClient.builder(server.split(",")[0].trim()).token(token);
    var servers = server.split(",");
    for (int i = 1; i < servers.length; i++) {
      builder.server(servers[i].trim());
    }
    return builder.build();
  }
}
