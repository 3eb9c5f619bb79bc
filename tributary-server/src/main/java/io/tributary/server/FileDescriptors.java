package io.tributary.server;

import java.lang.management.ManagementFactory;

/**
 * The process's open-file limit, which bounds how many connections it can hold. The JVM raises
 * its soft limit to the hard limit at start on Linux ({@code -XX:+MaxFDLimit}, on by default), so
 * this is the figure in force.
 */
final class FileDescriptors {
  /** Descriptors kept free of live readers: the pool, the listener, jars, logs, other requests. */
  static final int RESERVED = 1_024;
  /** The cap when the limit is unknown or tiny. */
  static final int FALLBACK_CAP = 64;

  private FileDescriptors() {}

  /** The soft limit on open files, or -1 when the platform does not tell. */
  static long limit() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /** Open descriptors now, or -1 when the platform does not tell. */
  static long open() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getOpenFileDescriptorCount();
    }
    return -1;
  }

  /** Live readers the limit leaves room for: all but {@link #RESERVED} descriptors. */
  static int liveReaderCap() {
    long limit = limit();
    if (limit < 0) {
      return 10_000;
    }
    return (int) Math.max(FALLBACK_CAP, Math.min(Integer.MAX_VALUE, limit - RESERVED));
  }
}
