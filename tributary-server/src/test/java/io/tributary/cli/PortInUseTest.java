package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} on a taken port exits non-zero at once and leaves no PostgreSQL behind. */
class PortInUseTest {
  @TempDir Path dir;

  @Test
  void aTakenPortEndsTheStartWithAPlainMessageAndStopsTheEmbeddedDatabase() throws Exception {
    var data = dir.resolve("pg");
    try (var taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      var err = new StringWriter();
      var out = new StringWriter();
      var cli = TributaryCli.commandLine();
      cli.setErr(new PrintWriter(err, true));
      cli.setOut(new PrintWriter(out, true));
      int exit = cli.execute("serve", "--port", Integer.toString(taken.getLocalPort()), "--data-dir", data.toString());

      assertThat(exit).isNotZero();
      assertThat(err.toString()).contains("port " + taken.getLocalPort() + " is already in use");
      assertThat(out.toString()).doesNotContain("listening");
    }
    // the PostgreSQL that start had launched is gone: the directory can be used again at once
    try (var again = EmbeddedDatabase.start(data)) {
      assertThat(again.url().jdbcUrl()).startsWith("jdbc:postgresql:");
    }
  }
}
