package io.tributary.cli;

import io.tributary.server.ServerConfig;
import io.tributary.server.TributaryServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary serve}: runs the HTTP server until SIGINT/SIGTERM. Every flag has an
 * environment variable; the flag wins when both are given.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    modelTransformer = ServeFlags.class,
    description = {
      "Serve the FlowFabric REST API and the Durable Streams protocol over HTTP.",
      "Without --db (or TRIBUTARY_DB) an embedded PostgreSQL runs in --data-dir and keeps its data.",
      "The database password may also come from TRIBUTARY_DB_PASSWORD or --db-password-file."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Where TRIBUTARY_DB_PASSWORD is read from; tests replace it. */
  Map<String, String> environment = System.getenv();

  /** The value of {@code flag}: as given, else from its environment variable, else its default. */
  private <T> T given(Flag<T> flag) {
    return spec.findOption(flag.name()).getValue();
  }

  /** Whether {@code --unsafe-no-fsync} was given. */
  boolean unsafeNoFsync() {
    return given(ServeFlags.UNSAFE_NO_FSYNC);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EmbeddedDatabase embedded = null;
    TributaryServer server = null;
    Path dataDir = given(ServeFlags.DATA_DIR);
    try {
      DatabaseUrl url;
      String db = given(ServeFlags.DB);
      if (db == null || db.isBlank()) {
        if (dbPassword().isPresent()) {
          throw new IllegalArgumentException(
              "a database password is given (--db-password-file or TRIBUTARY_DB_PASSWORD) but no --db");
        }
        embedded = EmbeddedDatabase.start(dataDir, !unsafeNoFsync());
        url = embedded.url();
      } else {
        if (unsafeNoFsync()) {
          throw new IllegalArgumentException(
              "--unsafe-no-fsync applies to the embedded PostgreSQL only; with --db, fsync is your database's setting");
        }
        url = databaseUrl();
      }
      server = TributaryServer.start(config(url));
    } catch (RuntimeException e) {
      err.println("tributary: could not start: " + e.getMessage());
      return 1;
    } finally {
      // a PostgreSQL we started must not outlive a failed start, whatever the failure
      if (server == null && embedded != null) {
        embedded.close();
      }
    }
    out.println("tributary listening on " + server.baseUrl()
        + (embedded == null ? "" : " (embedded PostgreSQL in " + dataDir.toAbsolutePath().normalize() + ")"));
    out.flush();
    awaitShutdown(server, embedded);
    return 0;
  }

  /**
   * The {@code --db} URL with the password from {@code --db-password-file} or {@code
   * TRIBUTARY_DB_PASSWORD} when one is given.
   *
   * @throws IllegalArgumentException when the URL is malformed or the password file unreadable
   */
  DatabaseUrl databaseUrl() {
    var url = DatabaseUrl.parse(given(ServeFlags.DB));
    return dbPassword().map(url::withPassword).orElse(url);
  }

  private Optional<String> dbPassword() {
    Path dbPasswordFile = given(ServeFlags.DB_PASSWORD_FILE);
    if (dbPasswordFile != null) {
      return Optional.of(PasswordFile.read(dbPasswordFile));
    }
    String fromEnv = environment.get(DB_PASSWORD_ENV);
    return fromEnv == null || fromEnv.isEmpty() ? Optional.empty() : Optional.of(fromEnv);
  }

  static final String DB_PASSWORD_ENV = "TRIBUTARY_DB_PASSWORD";

  ServerConfig config(DatabaseUrl url) {
    var config =
        ServerConfig.builder(url.jdbcUrl())
            .dbUser(url.user())
            .dbPassword(url.password())
            .tokenKey(tokenKeyBytes());
    for (var flag : ServeFlags.ALL) {
      if (ServerConfig.SETTINGS.contains(flag.setting())) {
        take(flag, config);
      }
    }
    return config.build();
  }

  private <T> void take(Flag<T> flag, ServerConfig.Builder config) {
    config.set(flag.setting(), given(flag));
  }

  /** The configured read-token key, or null for the database's. */
  private byte[] tokenKeyBytes() {
    String tokenKey = given(ServeFlags.TOKEN_KEY);
    Path tokenKeyFile = given(ServeFlags.TOKEN_KEY_FILE);
    if (tokenKeyFile != null && tokenKey != null && !tokenKey.isEmpty()) {
      throw new IllegalArgumentException("give the token key once: --token-key-file or --token-key, not both");
    }
    if (tokenKey != null && !tokenKey.isEmpty()) {
      return tokenKey.strip().getBytes(StandardCharsets.UTF_8);
    }
    if (tokenKeyFile == null) {
      return null;
    }
    try {
      // stripped, so that a key written with echo and one given as text are the same key
      var key = Files.readString(tokenKeyFile, StandardCharsets.ISO_8859_1).strip();
      if (key.isEmpty()) {
        throw new IllegalArgumentException("token key file " + tokenKeyFile + " is empty");
      }
      return key.getBytes(StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token key file " + tokenKeyFile + ": " + e, e);
    }
  }

  /** Blocks until the JVM is asked to stop, then stops the server before its database. */
  private static void awaitShutdown(TributaryServer server, EmbeddedDatabase embedded) {
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("tributary-shutdown")
                .unstarted(
                    () -> {
                      try {
                        server.close();
                      } finally {
                        if (embedded != null) {
                          embedded.close();
                        }
                        stopped.countDown();
                      }
                    }));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
