package io.tributary.cli;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A one-line progress display on stderr for long reads into a file and bulk appends: items and
 * bytes so far, the rate, and a bar when the total is known. Redrawn in place at most every
 * {@value #REDRAW_MS} ms; {@link #finish} leaves the final line. Shown only when stderr is a
 * terminal ({@link #onTerminal}): piped or redirected stderr gets nothing, so logs stay clean.
 */
final class ProgressBar {
  static final long REDRAW_MS = 100;
  private static final int WIDTH = 24;

  private final PrintWriter err;
  private final String unit;
  private final LongSupplier clockMs;
  private final long startedMs;
  private long total;
  private long items;
  private long bytes;
  private long drawnAtMs = Long.MIN_VALUE;

  ProgressBar(PrintWriter err, String unit, long total, LongSupplier clockMs) {
    this.err = err;
    this.unit = unit;
    this.total = total;
    this.clockMs = clockMs;
    this.startedMs = clockMs.getAsLong();
  }

  /**
   * A bar on {@code err} when {@code show} holds, else null (callers skip a null bar).
   *
   * @param total the expected number of items, or a negative number when unknown
   */
  static ProgressBar onTerminal(boolean show, PrintWriter err, String unit, long total) {
    return show ? new ProgressBar(err, unit, total, System::currentTimeMillis) : null;
  }

  /** Counts {@code n} more items of {@code size} bytes in all, redrawing when it is time. */
  void add(long n, long size) {
    items += n;
    bytes += size;
    long now = clockMs.getAsLong();
    if (now - drawnAtMs >= REDRAW_MS) {
      draw(now, false);
    }
  }

  /** Draws the final state (a known total counts as reached) and ends the line. */
  void finish() {
    if (total >= 0) {
      total = items;
    }
    draw(clockMs.getAsLong(), true);
  }

  private void draw(long now, boolean last) {
    drawnAtMs = now;
    var line = new StringBuilder("\r");
    if (total > 0) {
      double done = Math.min(1.0, (double) items / total);
      int filled = (int) Math.round(done * WIDTH);
      line.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ")
          .append(String.format("%3d%%", Math.round(done * 100))).append("  ")
          .append(items).append('/').append(total);
    } else {
      line.append(items);
    }
    line.append(' ').append(unit).append("  ").append(size(bytes));
    long elapsed = Math.max(1, now - startedMs);
    line.append("  ").append(items * 1000 / elapsed).append(' ').append(unit).append("/s");
    line.append("\u001b[K");
    if (last) {
      line.append('\n');
    }
    err.print(line);
    err.flush();
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format("%.1f %s", v, units[i]);
  }
}
