package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    assertThat(config.toString()).doesNotContain("=t,").contains("authToken=bearer");
  }

  @Test
  void thePasswordComesFromAFileOrTheEnvironmentAndWinsOverTheUrls(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "from file\n");
    var fromFile = parse("serve", "--db", "postgresql://app:inurl@h/db", "--db-password-file", file.toString());
    fromFile.environment = Map.of(ServeCommand.DB_PASSWORD_ENV, "from env");
    assertThat(fromFile.databaseUrl().password()).isEqualTo("from file");

    var fromEnv = parse("serve", "--db", "postgresql://app:inurl@h/db");
    fromEnv.environment = Map.of(ServeCommand.DB_PASSWORD_ENV, "from env");
    assertThat(fromEnv.databaseUrl().password()).isEqualTo("from env");
    assertThat(fromEnv.databaseUrl().user()).isEqualTo("app");

    var fromUrl = parse("serve", "--db", "postgresql://app:inurl@h/db");
    fromUrl.environment = Map.of();
    assertThat(fromUrl.databaseUrl().password()).isEqualTo("inurl");
  }

  @Test
  void anUnreadableOrEmptyPasswordFileIsAClearError(@TempDir Path dir) throws Exception {
    var missing = parse("serve", "--db", "postgresql://h/db", "--db-password-file", dir.resolve("nope").toString());
    assertThatThrownBy(missing::databaseUrl).hasMessageContaining("could not read --db-password-file");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    var blank = parse("serve", "--db", "postgresql://h/db", "--db-password-file", empty.toString());
    assertThatThrownBy(blank::databaseUrl).hasMessageContaining("is empty");
  }

  @Test
  void configToStringsNeverShowThePassword() {
    var config = parse("serve").config(new DatabaseUrl("jdbc:postgresql://h/db?password=inurl", "u", "s3cret"));
    assertThat(config.toString()).doesNotContain("s3cret", "inurl").contains("password=***");
    assertThat(config.storeConfig().toString()).doesNotContain("s3cret", "inurl");
    assertThat(new DatabaseUrl("jdbc:postgresql://h/db?password=inurl", "u", "s3cret").toString())
        .doesNotContain("s3cret", "inurl");
  }

  @Test
  void fsyncIsOnUnlessTheUnsafeFlagSaysOtherwise() {
    assertThat(parse("serve").unsafeNoFsync()).isFalse();
    assertThat(parse("serve", "--unsafe-no-fsync").unsafeNoFsync()).isTrue();

    var err = new StringWriter();
    var cli = TributaryCli.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("serve", "--db", "postgresql://h/db", "--unsafe-no-fsync")).isEqualTo(1);
    assertThat(err.toString()).contains("--unsafe-no-fsync applies to the embedded PostgreSQL only");
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
  void webhookFlagsReachTheSubscriptionConfigAndABadAllowListIsRefused() {
    var defaults = parse("serve").config(DB);
    assertThat(defaults.webhookAllowedTargets()).isEqualTo("loopback");
    assertThat(defaults.webhookMaxAttempts()).isEqualTo(10);
    assertThat(defaults.webhookRetryBase()).isEqualTo(Duration.ofSeconds(1));
    var config =
        parse("serve", "--webhook-allowed-targets", "loopback,10.1.0.0/16", "--webhook-max-attempts", "3",
                "--webhook-retry-base", "250ms")
            .config(DB);
    assertThat(config.subscriptionConfig().allowedTargets().refusal("http://10.1.2.3/h")).isNull();
    assertThat(config.subscriptionConfig().allowedTargets().refusal("http://10.2.0.1/h")).isNotNull();
    assertThat(config.subscriptionConfig().maxAttempts()).isEqualTo(3);
    assertThat(config.subscriptionConfig().retryBase()).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> parse("serve", "--webhook-allowed-targets", "anything").config(DB))
        .hasMessageContaining("'anything'");
    assertThatThrownBy(() -> parse("serve", "--webhook-max-attempts", "0").config(DB))
        .hasMessageContaining("max attempts");
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
            "--token-key-file", "TRIBUTARY_TOKEN_KEY_FILE", "--token-key", "TRIBUTARY_TOKEN_KEY",
            "--max-token-ttl", "TRIBUTARY_MAX_TOKEN_TTL",
            "--db-password-file", "TRIBUTARY_DB_PASSWORD_FILE", "TRIBUTARY_DB_PASSWORD", "--unsafe-no-fsync",
            "--db-timeout", "TRIBUTARY_DB_TIMEOUT", "--webhook-allowed-targets",
            "TRIBUTARY_WEBHOOK_ALLOWED_TARGETS", "--webhook-max-attempts", "TRIBUTARY_WEBHOOK_MAX_ATTEMPTS",
            "--webhook-retry-base", "TRIBUTARY_WEBHOOK_RETRY_BASE");
  }

  @Test
  void theTokenKeyComesFromAFileOrAFlagAndDefaultsToTheDatabase(@TempDir Path dir) throws Exception {
    var defaults = parse("serve").config(DB);
    assertThat(defaults.tokenKey()).isNull();
    assertThat(defaults.maxTokenTtl()).isEqualTo(ServerConfig.DEFAULT_MAX_TOKEN_TTL);
    assertThat(defaults.toString()).contains("tokenKey=database");

    var key = "k".repeat(40);
    var file = Files.writeString(dir.resolve("key"), key + "\n");
    var fromFile = parse("serve", "--token-key-file", file.toString(), "--max-token-ttl", "10m").config(DB);
    var fromFlag = parse("serve", "--token-key", key).config(DB);
    assertThat(fromFile.tokenKey()).isEqualTo(fromFlag.tokenKey()).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
    assertThat(fromFile.maxTokenTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(fromFile.toString()).contains("tokenKey=configured").doesNotContain(key);
  }

  @Test
  void aBadTokenKeyStopsTheStartWithAClearMessage(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> parse("serve", "--token-key", "short").config(DB))
        .hasMessage("token key must be at least 32 bytes");
    assertThatThrownBy(() -> parse("serve", "--token-key-file", dir.resolve("absent").toString()).config(DB))
        .hasMessageContaining("cannot read the token key file");
    var file = Files.writeString(dir.resolve("key"), "k".repeat(40));
    assertThatThrownBy(() -> parse("serve", "--token-key-file", file.toString(), "--token-key", "k".repeat(40)).config(DB))
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> parse("serve", "--max-token-ttl", "0").config(DB))
        .hasMessage("max token ttl must be at least 1 ms");
  }
}
