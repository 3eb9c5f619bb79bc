package io.tributary.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLSession;

/**
 * HTTP/1.1 exchanges over plain sockets kept alive per server, for a producer's appends: the whole
 * request goes out in one write and the thread that sent it reads the answer itself. The JDK's
 * {@code HttpClient} hands every exchange between its selector and worker threads and writes a body
 * in 16 kB pieces; on a busy machine each hand-off waits for a core. Plain {@code http://} only;
 * other schemes go through the JDK client. Thread-safe: one exchange per connection at a time.
 */
final class PlainHttp1 {
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private final Duration connectTimeout;
  private final ConcurrentHashMap<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
  private volatile boolean closed;

  PlainHttp1(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  /** Whether requests to {@code uri} can go this way. */
  static boolean handles(URI uri) {
    return "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null;
  }

  private static final class Connection {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      this.out = socket.getOutputStream();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // going anyway
      }
    }
  }

  /**
   * Sends {@code request} with {@code body} and reads the answer. A kept-alive connection the
   * server closed meanwhile is replaced once by a new one (the callers' requests are idempotent).
   *
   * @throws java.net.ConnectException when no connection could be opened (nothing was sent)
   * @throws IOException when the exchange failed after the request may have reached the server
   */
  HttpResponse<byte[]> send(HttpRequest request, byte[] body, Duration timeout) throws IOException {
    URI uri = request.uri();
    String key = uri.getHost() + ":" + port(uri);
    byte[] bytes = encode(request, uri, body);
    var pool = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
    var reused = pool.pollFirst();
    if (reused != null) {
      try {
        return exchange(reused, pool, request, bytes, timeout);
      } catch (StaleConnection e) {
        // the server had closed it while idle; a fresh one below
      }
    }
    try {
      return exchange(open(uri), pool, request, bytes, timeout);
    } catch (StaleConnection e) {
      throw new IOException("the server closed the connection without an answer", e);
    }
  }

  /** Closes the idle connections; later requests open new ones. */
  void close() {
    closed = true;
    idle.values().forEach(pool -> {
      for (Connection c; (c = pool.pollFirst()) != null; ) {
        c.close();
      }
    });
  }

  private Connection open(URI uri) throws IOException {
    var socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(uri.getHost(), port(uri)), (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
      return new Connection(socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : 80;
  }

  /** No byte of an answer came back on a kept-alive connection. */
  private static final class StaleConnection extends IOException {
    private static final long serialVersionUID = 1L;

    StaleConnection(IOException cause) {
      super(cause);
    }
  }

  private HttpResponse<byte[]> exchange(
      Connection c, ConcurrentLinkedDeque<Connection> pool, HttpRequest request, byte[] bytes, Duration timeout)
      throws IOException {
    boolean keep = false;
    boolean closedAfterAnswer = false;
    try {
      c.socket.setSoTimeout(timeout == null ? 0 : (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      int status;
      Map<String, List<String>> headers;
      IOException writeFailed = null;
      try {
        c.out.write(bytes);
        c.out.flush();
      } catch (IOException e) {
        // a server may refuse a request from its head (413 for a declared length over its
        // limit), answer and close before reading the body: that answer is what to report
        writeFailed = e;
      }
      try {
        int first = c.in.read();
        if (first < 0) {
          throw new EOFException("connection closed");
        }
        status = statusCode((char) first + line(c.in));
      } catch (IOException e) {
        if (writeFailed == null && e instanceof java.net.SocketTimeoutException) {
          throw e;
        }
        throw new StaleConnection(writeFailed != null ? writeFailed : e);
      }
      if (writeFailed != null) {
        // the rest of the request never went out: the connection cannot carry another one
        closedAfterAnswer = true;
      }
      headers = headers(c.in);
      while (status >= 100 && status < 200) { // interim answers come before the real one
        status = statusCode(line(c.in));
        headers = headers(c.in);
      }
      var answerHeaders = HttpHeaders.of(headers, (a, b) -> true);
      boolean close = closedAfterAnswer
          || answerHeaders.firstValue("Connection").map(v -> v.equalsIgnoreCase("close")).orElse(false);
      byte[] answer;
      long length = answerHeaders.firstValueAsLong("Content-Length").orElse(-1);
      if (status == 204 || status == 304 || request.method().equals("HEAD")) {
        answer = new byte[0];
      } else if (answerHeaders.firstValue("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked")).orElse(false)) {
        answer = chunked(c.in);
      } else if (length >= 0) {
        answer = c.in.readNBytes((int) length);
        if (answer.length != length) {
          throw new EOFException("answer body cut short");
        }
      } else {
        answer = c.in.readAllBytes();
        close = true;
      }
      keep = !close && !closed;
      return new Answer(status, answerHeaders, answer, request);
    } finally {
      if (keep) {
        pool.offerFirst(c);
      } else {
        c.close();
      }
    }
  }

  private static byte[] encode(HttpRequest request, URI uri, byte[] body) {
    var head = new StringBuilder(256);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    head.append(request.method()).append(' ').append(path);
    if (uri.getRawQuery() != null) {
      head.append('?').append(uri.getRawQuery());
    }
    head.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
    if (uri.getPort() >= 0) {
      head.append(':').append(uri.getPort());
    }
    head.append("\r\n");
    request.headers().map().forEach((name, values) -> values.forEach(v -> {
      if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("header " + name + " has a line break");
      }
      head.append(name).append(": ").append(v).append("\r\n");
    }));
    head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body == null || body.length == 0) {
      return h;
    }
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  private static int statusCode(String statusLine) throws IOException {
    // HTTP/1.1 200 OK
    int sp = statusLine.indexOf(' ');
    if (!statusLine.startsWith("HTTP/1.") || sp < 0 || statusLine.length() < sp + 4) {
      throw new IOException("not an HTTP/1.1 answer: " + statusLine);
    }
    try {
      return Integer.parseInt(statusLine.substring(sp + 1, sp + 4));
    } catch (NumberFormatException e) {
      throw new IOException("bad status line: " + statusLine, e);
    }
  }

  private static Map<String, List<String>> headers(InputStream in) throws IOException {
    var headers = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
    int total = 0;
    for (String line; !(line = line(in)).isEmpty(); ) {
      total += line.length();
      if (total > MAX_HEADER_BYTES) {
        throw new IOException("answer headers too large");
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
      }
    }
    return headers;
  }

  /** One line without its CRLF. */
  private static String line(InputStream in) throws IOException {
    var out = new ByteArrayOutputStream(64);
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) {
        throw new EOFException("connection closed in the middle of an answer");
      }
      if (b != '\r') {
        out.write(b);
      }
      if (out.size() > MAX_HEADER_BYTES) {
        throw new IOException("answer line too long");
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static byte[] chunked(InputStream in) throws IOException {
    var body = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      int semi = size.indexOf(';');
      int n;
      try {
        n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + size, e);
      }
      if (n == 0) {
        while (!line(in).isEmpty()) {
          // trailers: none are used
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(n);
      if (chunk.length != n) {
        throw new EOFException("chunk cut short");
      }
      body.writeBytes(chunk);
      line(in);
    }
  }

  /** An answer read here, in the JDK client's shape. */
  private record Answer(int statusCode, HttpHeaders headers, byte[] body, HttpRequest request)
      implements HttpResponse<byte[]> {
    @Override
    public Optional<HttpResponse<byte[]>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
