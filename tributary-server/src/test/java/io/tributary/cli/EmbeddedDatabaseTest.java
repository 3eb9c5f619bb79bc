package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} without --db: a PostgreSQL whose data survives a restart, that runs crash-safe,
 * and whose impossible starts fail at once with PostgreSQL's reason.
 */
class EmbeddedDatabaseTest {
  /** The bound from the issue: an impossible start must fail within 5 s. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void dataSurvivesARestartAndTheDirectoryCannotBeShared() throws Exception {
    var data = ClusterTemplate.copyTo(dir.resolve("pg"));
    try (var first = EmbeddedDatabase.start(data)) {
      try (var c = connect(first.url()); var st = c.createStatement()) {
        st.execute("CREATE TABLE kept (v text)");
        st.execute("INSERT INTO kept VALUES ('still here')");
      }
      assertThatThrownBy(() -> EmbeddedDatabase.start(data))
          .hasMessageContaining("in use by another running server");
    }
    try (var second = EmbeddedDatabase.start(data);
        var c = connect(second.url());
        var rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("still here");
    }
  }

  @Test
  void runsWithCrashSafeSettingsUnlessToldOtherwise() throws Exception {
    try (var db = EmbeddedDatabase.start(dir.resolve("safe"))) {
      assertThat(setting(db, "fsync")).isEqualTo("on");
      assertThat(setting(db, "full_page_writes")).isEqualTo("on");
      assertThat(setting(db, "synchronous_commit")).isEqualTo("on");
      assertThat(setting(db, "data_checksums")).isEqualTo("on");
    }
    try (var db = EmbeddedDatabase.start(ClusterTemplate.copyTo(dir.resolve("unsafe")), false)) {
      assertThat(setting(db, "fsync")).isEqualTo("off");
      assertThat(setting(db, "synchronous_commit")).isEqualTo("on");
    }
  }

  @Test
  void closeStopsPostgresAndLeavesNoLockFile() throws Exception {
    var data = ClusterTemplate.copyTo(dir.resolve("pg"));
    long pid;
    try (var db = EmbeddedDatabase.start(data)) {
      pid = db.pid();
      assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    }
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(data.resolve(PostmasterPidFile.NAME)).doesNotExist();
    assertThat(data.resolve(OwnershipMarker.NAME)).doesNotExist();
  }

  @Test
  void aPostmasterPidFileNamingALiveForeignProcessFailsFastWithPostgresReason() throws Exception {
    var data = ClusterTemplate.copyTo(dir.resolve("pg"));
    var foreign = new ProcessBuilder("sleep", "60").start();
    try {
      Files.writeString(data.resolve(PostmasterPidFile.NAME), foreign.pid() + "\n" + data.toRealPath() + "\n");
      long started = System.nanoTime();
      assertThatThrownBy(() -> EmbeddedDatabase.start(data))
          .hasMessageContaining("PID " + foreign.pid())
          .hasMessageContaining("left alone")
          .hasMessageContaining("lock file \"postmaster.pid\" already exists");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAIL_FAST);
      assertThat(foreign.isAlive()).as("a process we cannot prove is ours is never signalled").isTrue();
    } finally {
      foreign.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPostgresStartedByHandOnTheDirectoryIsLeftRunningAndTheStartFailsFast() throws Exception {
    var data = ClusterTemplate.copyTo(dir.resolve("pg"));
    var binaries = PostgresBinaries.unpacked();
    // no TCP port to collide with: a Unix socket in the test's own directory
    var args = new ArrayList<>(List.of("-D", data.toRealPath().toString(), "-c", "listen_addresses=",
        "-c", "unix_socket_directories=" + dir.toRealPath()));
    var byHand = new ProcessBuilder(binaries.command("postgres", args)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("by-hand.log").toFile()).start();
    try {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> PostmasterPidFile.read(data).filter(p -> p.pid() == byHand.pid()).isPresent());
      long started = System.nanoTime();
      assertThatThrownBy(() -> EmbeddedDatabase.start(data))
          .hasMessageContaining("PID " + byHand.pid())
          .hasMessageContaining("lock file \"postmaster.pid\" already exists");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAIL_FAST);
      assertThat(byHand.isAlive()).as("a postmaster no server of ours started is never stopped").isTrue();
    } finally {
      Postmaster.running(byHand.toHandle()).stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void aDataDirectoryWithWrongPermissionsFailsFastWithPostgresReason() throws Exception {
    var data = ClusterTemplate.copyTo(dir.resolve("pg"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
    long started = System.nanoTime();
    assertThatThrownBy(() -> EmbeddedDatabase.start(data))
        .hasMessageContaining("could not start embedded PostgreSQL in " + data)
        .hasMessageContaining("has invalid permissions");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAIL_FAST);
  }

  @Test
  void anUnreadableDataDirectoryFailsFastWithPostgresReason() throws Exception {
    var data = ClusterTemplate.copyTo(dir.resolve("pg"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("---------"));
    try {
      long started = System.nanoTime();
      assertThatThrownBy(() -> EmbeddedDatabase.start(data))
          .hasMessageContaining("could not start embedded PostgreSQL in " + data)
          .hasMessageContaining("Permission denied");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAIL_FAST);
    } finally {
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static String setting(EmbeddedDatabase db, String name) throws Exception {
    try (var c = connect(db.url()); var rs = c.createStatement().executeQuery("SHOW " + name)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static java.sql.Connection connect(DatabaseUrl url) throws Exception {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }
}
