import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fan-out benchmark's calibration server (scripts/bench-fanout.sh with CALIBRATE=1): the few
 * routes scripts/FanoutBench.java uses, answered from memory on one thread, so the benchmark's
 * client can be timed against a server that costs next to nothing. An append writes its SSE event
 * (the same bytes Tributary sends, one array for all readers) to every reader of its stream at
 * once, then answers. No storage, no durability: it measures the client and the loopback, nothing
 * else. Prints its URL, then at exit how many event writes did not go out whole at once.
 *
 * <p>With {@code NULL_APPEND_CPU_US} &gt; 0 or {@code NULL_APPEND_FSYNC=1} an append costs what a
 * real one does instead: on one of {@code NULL_APPEND_THREADS} (2) worker threads it spins that
 * much CPU (standing in for the server's and the database's work per append), writes the frame to
 * a log file and {@code fdatasync}s it (a durable commit), answers, and only then writes the event
 * to the stream's readers (the order that spares the append's own latency most). So the client's
 * appends' p99 with and without readers shows what the fan-out alone costs the appends, with no
 * Tributary code in the way.
 *
 * <p>Usage: java FanoutNullServer.java (binds 127.0.0.1 on a free port)
 */
public final class FanoutNullServer {
  private static final byte[] SSE_HEAD =
      ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
              + "event: control\ndata:{\"streamNextOffset\":\"0000000000000000_0000000000000000\",\"streamCursor\":\"3385862\",\"upToDate\":true}\n\n")
          .getBytes(StandardCharsets.US_ASCII);

  private static final long APPEND_CPU_NANOS = Long.parseLong(System.getenv().getOrDefault("NULL_APPEND_CPU_US", "0")) * 1_000;
  private static final boolean APPEND_FSYNC = System.getenv().getOrDefault("NULL_APPEND_FSYNC", "0").equals("1");
  private static final int APPEND_THREADS = Integer.parseInt(System.getenv().getOrDefault("NULL_APPEND_THREADS", "2"));

  private final Map<String, List<SocketChannel>> readers = new ConcurrentHashMap<>();
  private final AtomicInteger executions = new AtomicInteger();
  private final AtomicLong offset = new AtomicLong(1_796_149_252_309L);
  private final AtomicLong partialWrites = new AtomicLong();
  private final AtomicLong eventWrites = new AtomicLong();
  private final boolean realistic = APPEND_CPU_NANOS > 0 || APPEND_FSYNC;
  private final ExecutorService appenders = realistic ? Executors.newFixedThreadPool(APPEND_THREADS) : null;
  private FileChannel log;

  public static void main(String[] args) throws IOException {
    new FanoutNullServer().run();
  }

  private void run() throws IOException {
    var selector = Selector.open();
    var server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    if (APPEND_FSYNC) {
      var file = Files.createTempFile("fanout-null-log", ".bin");
      file.toFile().deleteOnExit();
      log = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
    System.out.println("null server on http://127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort()
        + " append_cpu_us=" + APPEND_CPU_NANOS / 1_000 + " append_fsync=" + APPEND_FSYNC + " append_threads=" + (realistic ? APPEND_THREADS : 0));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("event_writes=" + eventWrites + " partial_writes=" + partialWrites)));
    var buffer = ByteBuffer.allocate(64 * 1024);
    while (true) {
      selector.select();
      for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
        var key = it.next();
        it.remove();
        if (key.isAcceptable()) {
          for (SocketChannel c; (c = server.accept()) != null; ) {
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, new StringBuilder());
          }
          continue;
        }
        var c = (SocketChannel) key.channel();
        var text = (StringBuilder) key.attachment();
        buffer.clear();
        int n;
        try {
          n = c.read(buffer);
        } catch (IOException gone) {
          n = -1;
        }
        if (n < 0) {
          key.cancel();
          c.close();
          continue;
        }
        text.append(new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
        while (handle(c, key, text)) {
          // several pipelined requests: answer each
        }
      }
    }
  }

  /** Answers the first complete request in {@code text}; false when none is complete yet. */
  private boolean handle(SocketChannel c, SelectionKey key, StringBuilder text) throws IOException {
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return false;
    }
    var head = text.substring(0, headEnd);
    int length = 0;
    for (var line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (text.length() < headEnd + 4 + length) {
      return false;
    }
    var body = text.substring(headEnd + 4, headEnd + 4 + length);
    text.delete(0, headEnd + 4 + length);
    var requestLine = head.substring(0, head.indexOf("\r\n") < 0 ? head.length() : head.indexOf("\r\n")).split(" ");
    var method = requestLine[0];
    var path = requestLine[1];
    if (method.equals("GET") && path.startsWith("/v1/stream/executions/")) {
      var id = path.substring("/v1/stream/executions/".length(), path.indexOf('/', "/v1/stream/executions/".length()));
      readers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(c);
      c.write(ByteBuffer.wrap(SSE_HEAD));
      return false;
    }
    if (method.equals("POST") && path.equals("/v1/executions")) {
      answer(c, "{\"execution_id\":\"e" + executions.incrementAndGet() + "\"}");
    } else if (method.equals("POST") && path.endsWith("/attempts")) {
      answer(c, "{\"attempt_index\":0,\"handle\":\"h\"}");
    } else if (method.equals("POST") && path.contains("/attempts/0/stream")) {
      var id = path.substring("/v1/executions/".length(), path.indexOf('/', "/v1/executions/".length()));
      if (realistic) {
        appenders.execute(() -> appendLikeReal(c, id, body));
      } else {
        append(c, id, body, true);
      }
    } else {
      var msg = "{\"error\":\"no such route\"}";
      c.write(ByteBuffer.wrap(("HTTP/1.1 404 Not Found\r\nContent-Length: " + msg.length() + "\r\n\r\n" + msg).getBytes(StandardCharsets.US_ASCII)));
    }
    return true;
  }

  /** An append at a real one's cost: CPU, a durable write, the answer, then its readers. */
  private void appendLikeReal(SocketChannel c, String id, String body) {
    try {
      long until = System.nanoTime() + APPEND_CPU_NANOS;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      if (log != null) {
        synchronized (log) {
          log.write(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
          log.force(false);
        }
      }
      append(c, id, body, false);
    } catch (IOException e) {
      System.err.println("append failed: " + e);
    }
  }

  /** Writes the append's event to its readers and answers it: first when {@code readersFirst}, else after. */
  private void append(SocketChannel c, String id, String body, boolean readersFirst) throws IOException {
    {
      long at = offset.incrementAndGet();
      var event =
          ("event: data\ndata:[{\"id\":\"" + at + "-0\",\"frame_type\":\"log\",\"mode\":\"durable\",\"ts\":" + at + ",\"payload\":\"" + body + "\"}]\n\n"
                  + "event: control\ndata:{\"streamNextOffset\":\"000" + at + "_0000000000000000\",\"streamCursor\":\"3385862\",\"upToDate\":true}\n\n")
              .getBytes(StandardCharsets.UTF_8);
      if (!readersFirst) {
        answer(c, "{\"id\":\"" + at + "-0\",\"frame_count\":1}");
      }
      for (var r : readers.getOrDefault(id, List.of())) {
        var b = ByteBuffer.wrap(event);
        try {
          r.write(b);
        } catch (IOException gone) {
          continue;
        }
        eventWrites.incrementAndGet();
        if (b.hasRemaining()) {
          partialWrites.incrementAndGet();
        }
      }
      if (readersFirst) {
        answer(c, "{\"id\":\"" + at + "-0\",\"frame_count\":1}");
      }
    }
  }

  private static void answer(SocketChannel c, String json) throws IOException {
    var bytes = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length() + "\r\n\r\n" + json).getBytes(StandardCharsets.US_ASCII);
    c.write(ByteBuffer.wrap(bytes));
  }
}
