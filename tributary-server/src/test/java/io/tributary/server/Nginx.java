package io.tributary.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's nginx as a reverse proxy on a loopback port, every file it writes under one temporary
 * directory, in the foreground so the test owns its process. The {@code location} holds a stock
 * {@code proxy_pass} and nothing else; the other directives only keep nginx out of {@code
 * /var} and {@code /run}.
 */
final class Nginx implements AutoCloseable {
  /** Where Debian puts the binary; a non-root PATH often lacks the sbin directories. */
  private static final List<String> SBIN = List.of("/usr/sbin", "/usr/local/sbin", "/sbin");

  private final Process process;
  private final Path dir;
  private final int port;

  private Nginx(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** The nginx binary on PATH (or in an sbin directory), if installed. */
  static Optional<Path> binary() {
    var dirs = new ArrayList<String>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(SBIN);
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "nginx"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * Starts nginx in front of {@code upstreamPort} and waits until it accepts connections.
   *
   * @throws IllegalStateException when the configuration is refused or nginx does not come up
   */
  static Nginx proxying(Path binary, int upstreamPort) throws IOException, InterruptedException {
    // the workers run as nobody when started as root: they must reach the temp directories
    var dir = Files.createTempDirectory("tributary-nginx-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    int port = freePort();
    var conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config(dir, port, upstreamPort), UTF_8);
    var log = dir.resolve("stderr.log").toFile();
    var check = new ProcessBuilder(binary.toString(), "-t", "-p", dir.toString(), "-e", "stderr", "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(log).start();
    if (!check.waitFor(10, TimeUnit.SECONDS) || check.exitValue() != 0) {
      throw new IllegalStateException("nginx -t refused the configuration: " + Files.readString(log.toPath()));
    }
    var process = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-e", "stderr", "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(log).start();
    var nginx = new Nginx(process, dir, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!nginx.accepts()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        nginx.close();
        throw new IllegalStateException("nginx did not start: " + Files.readString(log.toPath()));
      }
      Thread.sleep(20);
    }
    return nginx;
  }

  private static String config(Path dir, int port, int upstreamPort) {
    return """
        daemon off;
        pid %1$s/nginx.pid;
        error_log stderr notice;
        events {}
        http {
            client_body_temp_path %1$s/client_body;
            proxy_temp_path %1$s/proxy;
            fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi;
            scgi_temp_path %1$s/scgi;
            access_log %1$s/access.log;
            server {
                listen 127.0.0.1:%2$d;
                location / {
                    proxy_pass http://127.0.0.1:%3$d;
                }
            }
        }
        """.formatted(dir, port, upstreamPort);
  }

  /** A port that was free a moment ago: nginx cannot listen on port 0 and report the choice. */
  private static int freePort() throws IOException {
    try (var socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  private boolean accepts() {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The access log so far, one request a line. */
  List<String> accessLog() throws IOException {
    var file = dir.resolve("access.log");
    return Files.exists(file) ? Files.readAllLines(file, UTF_8) : List.of();
  }

  /** SIGTERM (nginx's fast shutdown), then the temporary directory goes. */
  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
  }
}
