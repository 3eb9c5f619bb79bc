package io.tributary.server;

/** The server's port is taken by another process. */
public final class PortInUseException extends RuntimeException {
  PortInUseException(String host, int port, Throwable cause) {
    super("port " + port + " is already in use (on " + host + ")", cause);
  }
}
