package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog signals its postmaster when the server dies, and nothing else: not a process whose
 * working directory is not the data directory (a reused PID), and nothing after a normal stop.
 * A shell that exits 42 on SIGINT stands in for the postmaster.
 */
class PostmasterWatchdogTest {
  @TempDir Path dir;

  private Process standIn(Path workingDirectory) throws Exception {
    // env resets SIGINT to its default: a shell cannot trap a signal it inherited ignored (as a test
    // JVM started in the background by a non-interactive shell passes it on)
    var process = new ProcessBuilder("env", "--default-signal=INT",
            "sh", "-c", "trap 'exit 42' INT; echo ready; while :; do sleep 0.05; done")
        .directory(workingDirectory.toFile())
        .start();
    // a signal sent before the shell has set its trap (or before it has even been exec'ed on a busy
    // machine) would end or miss it: fire only once the stand-in says it is listening
    var ready = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
    assertThat(ready).isEqualTo("ready");
    return process;
  }

  @Test
  void whenTheServerDiesThePostmasterOnTheDataDirectoryGetsAFastShutdown() throws Exception {
    Path data = Files.createDirectory(dir.resolve("pg")).toRealPath();
    var postmaster = standIn(data);
    try {
      var watchdog = PostmasterWatchdog.arm(Postmaster.running(postmaster.toHandle()), data);
      watchdog.fireAsIfTheServerDied();
      assertThat(postmaster.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(postmaster.exitValue()).as("ended by SIGINT").isEqualTo(42);
      await().atMost(Duration.ofSeconds(5)).until(() -> !watchdog.isAlive());
    } finally {
      postmaster.destroyForcibly();
    }
  }

  @Test
  void aProcessWorkingElsewhereIsNeverSignalled() throws Exception {
    Path data = Files.createDirectory(dir.resolve("pg")).toRealPath();
    var other = standIn(Files.createDirectory(dir.resolve("elsewhere")));
    try {
      var watchdog = PostmasterWatchdog.arm(Postmaster.running(other.toHandle()), data);
      watchdog.fireAsIfTheServerDied();
      await().atMost(Duration.ofSeconds(5)).until(() -> !watchdog.isAlive());
      assertThat(other.waitFor(300, TimeUnit.MILLISECONDS)).as("still running").isFalse();
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void aNormalStopDisarmsIt() throws Exception {
    Path data = Files.createDirectory(dir.resolve("pg")).toRealPath();
    var postmaster = standIn(data);
    try {
      var watchdog = PostmasterWatchdog.arm(Postmaster.running(postmaster.toHandle()), data);
      watchdog.close();
      assertThat(watchdog.isAlive()).isFalse();
      assertThat(postmaster.waitFor(300, TimeUnit.MILLISECONDS)).as("still running").isFalse();
    } finally {
      postmaster.destroyForcibly();
    }
  }
}
