package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only the very process a server recorded, still working in the data directory, counts as ours. */
class OwnershipMarkerTest {
  @TempDir Path dir;

  @Test
  void provesOnlyTheRecordedProcessWorkingInTheDataDirectory() throws Exception {
    Path data = Files.createDirectory(dir.resolve("pg")).toRealPath();
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    var recorded = new ProcessBuilder("sleep", "60").directory(data.toFile()).start();
    var other = new ProcessBuilder("sleep", "60").directory(data.toFile()).start();
    var outside = new ProcessBuilder("sleep", "60").directory(elsewhere.toFile()).start();
    try {
      var marker = new OwnershipMarker(data);
      assertThat(marker.provesOurs(recorded.toHandle(), data)).as("nothing recorded yet").isFalse();

      marker.record(Postmaster.running(recorded.toHandle()));
      assertThat(marker.provesOurs(recorded.toHandle(), data)).isTrue();
      assertThat(marker.recordedBy()).hasValue(Long.toString(ProcessHandle.current().pid()));
      assertThat(marker.provesOurs(other.toHandle(), data)).as("another PID").isFalse();

      marker.record(Postmaster.running(outside.toHandle()));
      assertThat(marker.provesOurs(outside.toHandle(), data)).as("not working in the data directory").isFalse();

      // the same PID with another start time is a reused PID
      Path file = data.resolve(OwnershipMarker.NAME);
      marker.record(Postmaster.running(recorded.toHandle()));
      var lines = Files.readAllLines(file);
      Files.writeString(file, lines.get(0) + "\n2001-01-01T00:00:00Z\n" + lines.get(2) + "\n");
      assertThat(marker.provesOurs(recorded.toHandle(), data)).as("another start time").isFalse();

      marker.clear();
      assertThat(file).doesNotExist();
    } finally {
      for (var p : new Process[] {recorded, other, outside}) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
