package io.tributary.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code tributary serve} in its own JVM, started from the test class path exactly as an
 * operator would start it, with stdout watched for its URL and stderr kept in a file. Only the
 * given flags and environment reach it: {@code TRIBUTARY_*} variables of the test run are removed.
 */
public final class ServeProcess {
  private static final String CLI_MAIN = "io.tributary.cli.TributaryCli";
  private static final Pattern LISTENING = Pattern.compile("tributary listening on (http://127\\.0\\.0\\.1:\\d+)");
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  final String name;
  final Process process;
  private final Path stderr;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final CompletableFuture<String> listening = new CompletableFuture<>();
  String url;

  private ServeProcess(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
  }

  /** Starts {@code serve} with {@code --port 0 --bind 127.0.0.1} and {@code flags}. */
  public static ServeProcess launch(String name, List<String> flags) throws IOException {
    return launch(name, flags, Map.of());
  }

  /** As {@link #launch(String, List)}, with {@code env} added to its environment. */
  public static ServeProcess launch(String name, List<String> flags, Map<String, String> env) throws IOException {
    return launchUnder(name, List.of(), flags, env);
  }

  /** As {@link #launch(String, List, Map)}, run through a command prefix such as {@code prlimit … --}. */
  public static ServeProcess launchUnder(String name, List<String> prefix, List<String> flags, Map<String, String> env)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("no java command"));
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(
        java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"),
        CLI_MAIN, "serve", "--port", "0", "--bind", "127.0.0.1"));
    command.addAll(flags);
    Path stderr = Files.createTempFile("tributary-" + name + "-", ".stderr");
    var builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("TRIBUTARY_"));
    builder.environment().putAll(env);
    var server = new ServeProcess(name, builder.start(), stderr);
    Thread.ofPlatform().daemon().name("server-" + name + "-stdout").start(server::readStdout);
    return server;
  }

  private void readStdout() {
    try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        stdout.add(line);
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          listening.complete(m.group(1));
        }
      }
    } catch (IOException e) {
      // the process went away; awaitUrl reports it
    }
    listening.completeExceptionally(new IllegalStateException("server " + name + " ended its output without a URL"));
  }

  /** Waits for the URL it prints once it listens; fails with its output when it does not start. */
  public String awaitUrl() {
    return awaitUrl(START_TIMEOUT);
  }

  public String awaitUrl(Duration timeout) {
    try {
      url = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return url;
    } catch (Exception e) {
      throw new AssertionError("server process " + name + " did not start: " + diagnostics(), e);
    }
  }

  /** Waits for it to exit by itself and returns the exit code; kills it and fails after {@code timeout}. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server process " + name + " still runs after " + timeout + ": " + diagnostics());
    }
    return process.exitValue();
  }

  public String url() {
    return url;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What it printed on stderr so far. */
  public String stderr() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  public String diagnostics() {
    return "alive=" + process.isAlive() + (process.isAlive() ? "" : " exit=" + process.exitValue())
        + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + stderr();
  }

  /** SIGTERM only; follow with {@link #awaitExit(Duration)}. */
  public void sigterm() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM (the server's shutdown hook stops it cleanly), then SIGKILL if it hangs. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Files.deleteIfExists(stderr);
      } catch (IOException ignored) {
        // a temp file left behind is harmless
      }
    }
  }
}
