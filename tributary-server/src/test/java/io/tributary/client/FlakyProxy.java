package io.tributary.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy in front of a server that can lose the answer to a request (the request
 * reaches the server, its response never reaches the client), lose requests (the server never
 * sees them), swallow new connections (taken and never answered, as a server that is stopping
 * may do) and cut every connection at once.
 */
final class FlakyProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int upstreamPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicBoolean loseNextAnswer = new AtomicBoolean();
  private volatile boolean dropRequests;
  private volatile boolean loseAnswers;
  private volatile boolean swallow;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

  FlakyProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().start(this::accept);
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** The next bytes the server sends back are dropped and that connection is cut. */
  void loseNextAnswer() {
    loseNextAnswer.set(true);
  }

  /**
   * While on, every request is dropped before it reaches the server and its connection cut (the
   * server never sees it).
   */
  void dropRequests(boolean on) {
    dropRequests = on;
  }

  /** While on, every answer is dropped and its connection cut (the server did the work). */
  void loseAnswers(boolean on) {
    loseAnswers = on;
  }

  /**
   * While on, new connections are accepted and their requests read, but nothing reaches the
   * server and no answer comes back: the connection just stays open.
   */
  void swallowNewConnections(boolean on) {
    swallow = on;
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  /** Cuts every open connection (as a crashed load balancer or network would). */
  void cutAll() {
    for (var s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    sockets.clear();
  }

  private void accept() {
    while (!closed) {
      try {
        var client = listener.accept();
        accepted.incrementAndGet();
        if (swallow) {
          sockets.add(client);
          Thread.ofPlatform().daemon().start(() -> swallowFrom(client));
          continue;
        }
        var upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
        sockets.add(client);
        sockets.add(upstream);
        Thread.ofPlatform().daemon().start(() -> pump(client, upstream, false));
        Thread.ofPlatform().daemon().start(() -> pump(upstream, client, true));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private static void swallowFrom(Socket client) {
    byte[] buffer = new byte[16384];
    try (InputStream in = client.getInputStream()) {
      while (in.read(buffer) > 0) {
        // read and forget: the client waits for an answer that never comes
      }
    } catch (IOException e) {
      // cut
    }
  }

  private void pump(Socket from, Socket to, boolean answers) {
    byte[] buffer = new byte[16384];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        boolean drop = answers ? loseAnswers || loseNextAnswer.compareAndSet(true, false) : dropRequests;
        if (drop) {
          from.close();
          to.close();
          return;
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    cutAll();
  }
}
