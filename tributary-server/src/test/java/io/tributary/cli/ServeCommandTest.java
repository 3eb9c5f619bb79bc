package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {
  private static ServeCommand parse(String... args) {
    var cli = TributaryCli.commandLine();
    var parsed = cli.parseArgs(args);
    return (ServeCommand) parsed.subcommand().commandSpec().userObject();
  }

  private static final DatabaseUrl DB = new DatabaseUrl("jdbc:postgresql://h/db", "u", "p");

  @Test
  void defaultsComeFromServerConfig() {
    var config = parse("serve").config(DB);
    assertThat(config.port()).isEqualTo(ServerConfig.DEFAULT_PORT);
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.longPollTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxBodyBytes()).isEqualTo(ServerConfig.DEFAULT_MAX_BODY_BYTES);
    assertThat(config.maxStreamOps()).isEqualTo(64);
    assertThat(config.authToken()).isNull();
    assertThat(config.dbUser()).isEqualTo("u");
    assertThat(config.dbTimeout()).isEqualTo(ServerConfig.DEFAULT_DB_TIMEOUT);
    assertThat(config.storeConfig().dbTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void dbTimeoutIsAFlagReachingTheStore() {
    var config = parse("serve", "--db-timeout", "750ms").config(DB);
    assertThat(config.dbTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(config.storeConfig().dbTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThatThrownBy(() -> parse("serve", "--db-timeout", "100ms").config(DB))
        .hasMessage("db timeout must be at least 250 ms");
  }

  @Test
  void flagsOverrideDefaults() {
    var config =
        parse(
                "serve", "--port", "0", "--bind", "0.0.0.0", "--long-poll-timeout", "500ms",
                "--max-body-bytes", "1024", "--auth-token", "t", "--max-stream-ops", "2",
                "--pool-size", "3", "--max-frame-bytes", "100")
            .config(DB);
    assertThat(config.port()).isZero();
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.longPollTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.maxBodyBytes()).isEqualTo(1024);
    assertThat(config.authToken()).isEqualTo("t");
    assertThat(config.maxStreamOps()).isEqualTo(2);
    assertThat(config.poolSize()).isEqualTo(3);
    assertThat(config.maxFrameBytes()).isEqualTo(100);
    assertThat(config.toString()).doesNotContain("=t,").contains("auth=bearer");
  }

  @Test
  void durationsTakeUnitsIsoOrMilliseconds() {
    var c = new DurationConverter();
    assertThat(c.convert("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.convert("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.convert("PT0.5S")).isEqualTo(Duration.ofMillis(500));
    assertThat(c.convert("750")).isEqualTo(Duration.ofMillis(750));
    assertThatThrownBy(() -> c.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class);
  }

  @Test
  void outOfRangeValuesAreRejectedByTheConfig() {
    assertThatThrownBy(() -> parse("serve", "--port", "70000").config(DB))
        .hasMessage("port must be 0..65535, got 70000");
    assertThatThrownBy(() -> parse("serve", "--max-stream-ops", "0").config(DB))
        .hasMessage("max stream ops must be >= 1, got 0");
  }

  @Test
  void helpListsEveryFlagWithItsEnvironmentVariable() {
    var out = new StringWriter();
    var cli = TributaryCli.commandLine();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("serve", "--help")).isZero();
    assertThat(out.toString())
        .contains("--port", "TRIBUTARY_PORT", "--db", "TRIBUTARY_DB", "--data-dir", "--long-poll-timeout",
            "--max-body-bytes", "--auth-token", "TRIBUTARY_AUTH_TOKEN", "--max-stream-ops", "--pool-size",
            "--db-timeout", "TRIBUTARY_DB_TIMEOUT");
  }
}
