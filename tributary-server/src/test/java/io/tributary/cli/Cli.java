package io.tributary.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The {@code tributary} command line in a JVM of its own, as a shell would run it. */
final class Cli implements AutoCloseable {
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private Cli(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  static Cli start(Map<String, String> env, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    // env resets SIGINT to its default: a test JVM started in the background by a non-interactive
    // shell inherits SIGINT ignored, and so would the CLI, which Ctrl-C tests signal
    var command = new ArrayList<>(List.of("env", "--default-signal=INT", java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), "io.tributary.cli.TributaryCli"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("tributary-cli-", ".out");
    Path err = Files.createTempFile("tributary-cli-", ".err");
    var builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().keySet().removeIf(k -> k.startsWith("TRIBUTARY_"));
    builder.environment().putAll(env);
    var cli = new Cli(builder.start(), out, err);
    cli.process.getOutputStream().close();
    return cli;
  }

  static Cli start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  /** Waits for the exit (at most {@code seconds}); the exit status. */
  int exit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("tributary " + " did not exit within " + seconds + " s; stderr: " + err());
    }
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  byte[] outBytes() throws IOException {
    return Files.readAllBytes(stdout);
  }

  String out() throws IOException {
    return Files.readString(stdout);
  }

  String err() {
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
    Files.deleteIfExists(stdout);
    Files.deleteIfExists(stderr);
  }
}
