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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real reverse proxy (nginx, HAProxy or Caddy, as Debian packages them) on a loopback port in
 * front of a server, in the foreground so the test owns its process, every file it writes under
 * one temporary directory. Each proxies with the configuration docs/proxies.md starts from: for
 * nginx a bare {@code proxy_pass}, for Caddy a bare {@code reverse_proxy}, for HAProxy a backend
 * with the documented timeouts. The other directives only keep the proxies out of {@code /var},
 * {@code /run} and the home directory.
 */
final class ReverseProxy implements AutoCloseable {
  /** The proxies, their binaries and how each is configured and started. */
  enum Kind {
    NGINX("nginx", "nginx.conf") {
      @Override
      String config(Path dir, int port, int upstream) {
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
            """.formatted(dir, port, upstream);
      }

      @Override
      List<String> check(Path binary, Path dir, Path conf) {
        return List.of(binary.toString(), "-t", "-p", dir.toString(), "-e", "stderr", "-c", conf.toString());
      }

      @Override
      List<String> run(Path binary, Path dir, Path conf) {
        return List.of(binary.toString(), "-p", dir.toString(), "-e", "stderr", "-c", conf.toString());
      }
    },

    HAPROXY("haproxy", "haproxy.cfg") {
      @Override
      String config(Path dir, int port, int upstream) {
        return """
            defaults
                mode http
                log stderr format raw local0
                option httplog
                timeout connect 5s
                timeout client 90s
                timeout server 90s
                timeout http-request 10s
                timeout http-keep-alive 10s

            frontend streams
                bind 127.0.0.1:%1$d
                default_backend tributary

            backend tributary
                server s1 127.0.0.1:%2$d
            """.formatted(port, upstream);
      }

      @Override
      List<String> check(Path binary, Path dir, Path conf) {
        return List.of(binary.toString(), "-c", "-f", conf.toString());
      }

      @Override
      List<String> run(Path binary, Path dir, Path conf) {
        return List.of(binary.toString(), "-db", "-f", conf.toString());
      }
    },

    CADDY("caddy", "Caddyfile") {
      @Override
      String config(Path dir, int port, int upstream) {
        return """
            {
                admin off
                auto_https off
            }

            http://127.0.0.1:%1$d {
                log {
                    output file %3$s/access.log
                }
                reverse_proxy 127.0.0.1:%2$d
            }
            """.formatted(port, upstream, dir);
      }

      @Override
      List<String> check(Path binary, Path dir, Path conf) {
        return List.of(binary.toString(), "validate", "--config", conf.toString(), "--adapter", "caddyfile");
      }

      @Override
      List<String> run(Path binary, Path dir, Path conf) {
        return List.of(binary.toString(), "run", "--config", conf.toString(), "--adapter", "caddyfile");
      }
    };

    private final String binaryName;
    private final String configName;

    Kind(String binaryName, String configName) {
      this.binaryName = binaryName;
      this.configName = configName;
    }

    abstract String config(Path dir, int port, int upstream);

    abstract List<String> check(Path binary, Path dir, Path conf);

    abstract List<String> run(Path binary, Path dir, Path conf);

    /** The binary on PATH (or in an sbin directory, which a non-root PATH often lacks), if installed. */
    Optional<Path> binary() {
      var dirs = new ArrayList<String>();
      String path = System.getenv("PATH");
      if (path != null) {
        dirs.addAll(List.of(path.split(File.pathSeparator)));
      }
      dirs.addAll(SBIN);
      return dirs.stream()
          .filter(d -> !d.isEmpty())
          .map(d -> Path.of(d, binaryName))
          .filter(Files::isExecutable)
          .findFirst();
    }

    String binaryName() {
      return binaryName;
    }
  }

  private static final List<String> SBIN = List.of("/usr/sbin", "/usr/local/sbin", "/sbin");

  private final Process process;
  private final Path dir;
  private final int port;

  private ReverseProxy(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts a proxy in front of {@code upstreamPort} and waits until it accepts connections.
   *
   * @throws IllegalStateException when the configuration is refused or the proxy does not come up
   */
  static ReverseProxy start(Kind kind, Path binary, int upstreamPort) throws IOException, InterruptedException {
    // nginx's workers run as nobody when started as root: they must reach the temp directories
    var dir = Files.createTempDirectory("tributary-" + kind.binaryName + "-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    int port = freePort();
    var conf = dir.resolve(kind.configName);
    Files.writeString(conf, kind.config(dir, port, upstreamPort), UTF_8);
    var log = dir.resolve("stderr.log").toFile();
    var check = builder(kind.check(binary, dir, conf), dir).redirectOutput(log).start();
    if (!check.waitFor(20, TimeUnit.SECONDS) || check.exitValue() != 0) {
      check.destroyForcibly();
      String output = Files.readString(log.toPath());
      delete(dir);
      throw new IllegalStateException(kind + " refused the configuration: " + output);
    }
    var process = builder(kind.run(binary, dir, conf), dir).redirectOutput(log).start();
    var proxy = new ReverseProxy(process, dir, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!proxy.accepts()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String output = Files.readString(log.toPath());
        proxy.close();
        throw new IllegalStateException(kind + " did not start: " + output);
      }
      Thread.sleep(20);
    }
    return proxy;
  }

  /** Keeps Caddy's config and data directories (and anything else keyed on HOME) in the temp directory. */
  private static ProcessBuilder builder(List<String> command, Path dir) {
    var pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("HOME", dir.toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    env.put("XDG_DATA_HOME", dir.resolve("data").toString());
    return pb;
  }

  /** A port that was free a moment ago: the proxies cannot listen on port 0 and report the choice. */
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

  /** What the proxy logged so far: its access log (nginx, Caddy) and its stderr (HAProxy's requests). */
  String log() throws IOException {
    var out = new StringBuilder();
    for (var name : List.of("access.log", "stderr.log")) {
      var file = dir.resolve(name);
      if (Files.exists(file)) {
        out.append(Files.readString(file, UTF_8));
      }
    }
    return out.toString();
  }

  /** SIGTERM (each proxy's prompt shutdown), then the temporary directory goes. */
  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    delete(dir);
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
  }
}
