import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Stage breakdown of the fan-out benchmark's bursts (one append to every stream at once) from the
 * server's flight recording (scripts/bench-fanout.sh with STAGES=1) and the client's output: for
 * each burst, times relative to the moment the client sent its appends, of the commits' local
 * wakes, the notifications, the parked re-queries, the feeds' pages and their writes to the readers,
 * next to the client's own delivery figures.
 *
 * <p>Usage: java FanoutStages.java RECORDING.jfr CLIENT_OUTPUT
 */
public final class FanoutStages {
  private static final Pattern BURST = Pattern.compile("^((?:warmup_)?append_to_every_stream) .*t0_epoch_us=(\\d+)");

  record Burst(String name, long t0Micros, String line) {}

  public static void main(String[] args) throws Exception {
    var events = RecordingFile.readAllEvents(Path.of(args[0])).stream()
        .filter(e -> e.getEventType().getName().startsWith("io.tributary."))
        .toList();
    var bursts = new ArrayList<Burst>();
    for (var line : Files.readAllLines(Path.of(args[1]))) {
      var m = BURST.matcher(line);
      if (m.find()) {
        bursts.add(new Burst(m.group(1), Long.parseLong(m.group(2)), line));
      }
    }
    System.out.println("stages: ms from the client's sending of the 100 appends, as first/median/last");
    for (int i = 0; i < bursts.size(); i++) {
      var b = bursts.get(i);
      long from = b.t0Micros();
      // up to the next phase's start (a burst's phase ends some 0.8 s after its last delivery)
      long to = i + 1 < bursts.size() ? Math.min(bursts.get(i + 1).t0Micros(), from + 5_000_000) : from + 2_000_000;
      var in = events.stream().filter(e -> micros(e.getEndTime()) >= from && micros(e.getEndTime()) < to).toList();
      var local = firstPerStream(in, "io.tributary.StreamWake", e -> !e.getBoolean("notified"), "streamId", from);
      var notified = times(in, "io.tributary.StreamWake", e -> e.getBoolean("notified"), from);
      var requeries = in.stream().filter(e -> is(e, "io.tributary.ParkedRequery")).toList();
      long answered = requeries.stream().filter(e -> e.getBoolean("answered")).count();
      var requeryMs = requeries.stream().map(e -> e.getDuration().toNanos() / 1e6).sorted().toList();
      var pages = firstPerStream(in, "io.tributary.FeedRead", e -> e.getBoolean("news"), "stream", from);
      long feedReads = in.stream().filter(e -> is(e, "io.tributary.FeedRead")).count();
      var pushes = in.stream().filter(e -> is(e, "io.tributary.FeedPush")).toList();
      var pushEnds = firstPerStream(in, "io.tributary.FeedPush", e -> true, "stream", from);
      double pushMs = pushes.stream().mapToLong(e -> e.getDuration().toNanos()).sum() / 1e6;
      int written = pushes.stream().mapToInt(e -> e.getInt("written")).sum();
      int woken = pushes.stream().mapToInt(e -> e.getInt("woken")).sum();
      var streams = new HashSet<Long>();
      in.stream().filter(e -> is(e, "io.tributary.StreamWake") && !e.getBoolean("notified")).forEach(e -> streams.add(e.getLong("streamId")));
      System.out.printf(
          "%s: commits woke %d streams, first wakes at %s; notifications %d at %s; re-queries %d (%d answered, each %s ms incl. the wait for a pool connection);"
              + " feed reads %d, first page per stream at %s; writes to %d readers (%d left to wake), a stream's first written by %s (%.0f ms issuing)%n",
          b.name(), streams.size(), span(local), notified.size(), span(notified), requeries.size(), answered, span(requeryMs),
          feedReads, span(pages), written, woken, span(pushEnds), pushMs);
      var client = Pattern.compile("(p50_ms=\\S+ p99_ms=\\S+).*(append_p50_ms=\\S+ append_p99_ms=\\S+)").matcher(b.line());
      if (client.find()) {
        System.out.println("  client: delivery " + client.group(1) + ", appends " + client.group(2));
      }
    }
  }

  private static boolean is(RecordedEvent e, String name) {
    return e.getEventType().getName().equals(name);
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }

  /** End times (ms after {@code from}) of the matching events, sorted. */
  private static List<Double> times(List<RecordedEvent> in, String name, java.util.function.Predicate<RecordedEvent> which, long from) {
    return in.stream().filter(e -> is(e, name) && which.test(e)).map(e -> (micros(e.getEndTime()) - from) / 1e3).sorted().toList();
  }

  /** End time (ms after {@code from}) of the first matching event of each stream, sorted. */
  private static List<Double> firstPerStream(
      List<RecordedEvent> in, String name, java.util.function.Predicate<RecordedEvent> which, String streamField, long from) {
    var first = new java.util.HashMap<Object, Double>();
    for (var e : in) {
      if (is(e, name) && which.test(e)) {
        first.merge(e.getValue(streamField), (micros(e.getEndTime()) - from) / 1e3, Math::min);
      }
    }
    return first.values().stream().sorted().toList();
  }

  private static String span(List<Double> t) {
    if (t.isEmpty()) {
      return "-";
    }
    return String.format("%.1f/%.1f/%.1f", t.getFirst(), t.get(t.size() / 2), t.getLast());
  }
}
