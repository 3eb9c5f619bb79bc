package io.tributary.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A {@code tributary serve} in its own JVM, on a database the test gives, optionally under a
 * command prefix (e.g. {@code prlimit --nofile=…}); stdout is watched for the URL it prints.
 */
final class LaunchedServer implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("tributary listening on (http://127\\.0\\.0\\.1:\\d+)");

  private final Process process;
  private final Path stderr;
  private final CompletableFuture<String> url = new CompletableFuture<>();

  private LaunchedServer(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
  }

  static LaunchedServer launch(List<String> prefix, String jdbcUrl, String... flags) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    var command = new ArrayList<>(prefix);
    command.addAll(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "io.tributary.cli.TributaryCli", "serve",
        "--port", "0", "--db", jdbcUrl, "--pool-size", "4"));
    command.addAll(List.of(flags));
    Path stderr = Files.createTempFile("tributary-launched-", ".stderr");
    var builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("TRIBUTARY_"));
    var server = new LaunchedServer(builder.start(), stderr);
    Thread.ofPlatform().daemon().start(server::readStdout);
    server.url.get(60, TimeUnit.SECONDS);
    return server;
  }

  private void readStdout() {
    try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        var m = LISTENING.matcher(line);
        if (m.find()) {
          url.complete(m.group(1));
        }
      }
    } catch (IOException e) {
      // the process went away
    }
    url.completeExceptionally(new IllegalStateException("server ended without a URL: " + stderrText()));
  }

  String url() {
    return url.join();
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM; the exit code, or -1 if it did not exit within {@code seconds}. */
  int terminate(long seconds) throws InterruptedException {
    process.destroy();
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  String stderrText() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Files.deleteIfExists(stderr);
  }
}
