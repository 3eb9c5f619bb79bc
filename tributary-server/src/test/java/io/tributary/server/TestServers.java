package io.tributary.server;

import io.tributary.testing.EmbeddedPostgres;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Starts real servers on random loopback ports, and talks to them with the JDK client. */
final class TestServers {
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private TestServers() {}

  /** A server on a fresh database (or on {@code jdbcUrl} when given), tuned by {@code tune}. */
  static TributaryServer start(String jdbcUrl, UnaryOperator<ServerConfig.Builder> tune) {
    var builder =
        ServerConfig.builder(jdbcUrl).dbUser("postgres").port(0).poolSize(4)
            .longPollTimeout(Duration.ofSeconds(1));
    return TributaryServer.start(tune.apply(builder).build());
  }

  static String newDatabase(String name) {
    return EmbeddedPostgres.createDatabase(name);
  }

  /** The path of an attempt with the execution id percent-encoded, as clients must send it. */
  static String attemptPath(String executionId, long index) {
    return "/v1/executions/" + URLEncoder.encode(executionId, StandardCharsets.UTF_8)
        + "/attempts/" + index;
  }

  static HttpRequest.Builder request(TributaryServer server, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
        .timeout(Duration.ofSeconds(40));
  }

  static HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) {
    return JsonMapper.shared().readTree(response.body());
  }

  /** Mints an execution and starts its first attempt; returns the start answer. */
  static JsonNode startAttempt(TributaryServer server) throws Exception {
    var minted = send(request(server, "/v1/executions").POST(HttpRequest.BodyPublishers.noBody()).build());
    String id = json(minted).get("execution_id").asString();
    var started =
        send(
            request(server, "/v1/executions/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/attempts")
                .POST(HttpRequest.BodyPublishers.ofString("{\"lease_ttl_ms\":60000}"))
                .build());
    if (started.statusCode() != 201) {
      throw new AssertionError("start failed: " + started.statusCode() + " " + started.body());
    }
    return json(started);
  }

  static HttpResponse<String> append(TributaryServer server, JsonNode attempt, String query, byte[] payload)
      throws Exception {
    return send(
        request(
                server,
                attemptPath(attempt.get("execution_id").asString(), attempt.get("attempt_index").asLong())
                    + "/stream" + (query.isEmpty() ? "" : "?" + query))
            .header("Tributary-Handle", attempt.get("handle").asString())
            .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
            .build());
  }

  /** A response read off a raw socket: status code, headers (names lower-cased) and body. */
  record RawAnswer(int status, java.util.Map<String, String> headers, String body) {}

  /**
   * Sends only a request's head (request line and headers, e.g. a Content-Length the server must
   * refuse) on a new connection and reads the answer. Sending a body the server will not read
   * would race its close: the client may lose the answer to the connection's reset.
   */
  static RawAnswer answerToHead(TributaryServer server, String method, String path, String... headerLines)
      throws java.io.IOException {
    try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      var head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      for (var line : headerLines) {
        head.append(line).append("\r\n");
      }
      head.append("\r\n");
      socket.getOutputStream().write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      var in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      String status = readLine(in);
      var headers = new java.util.LinkedHashMap<String, String>();
      for (String line; !(line = readLine(in)).isEmpty(); ) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
      }
      var body = new byte[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
      in.readFully(body);
      return new RawAnswer(
          Integer.parseInt(status.split(" ")[1]), headers, new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static String readLine(java.io.InputStream in) throws java.io.IOException {
    var line = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new java.io.EOFException("connection closed after: " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
