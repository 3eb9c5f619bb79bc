package io.tributary.postgres;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight-recorder events of the parked-read path, so a recording ({@code
 * -XX:StartFlightRecording}) shows when streams were woken and what each wake cost in queries.
 * Disabled (the default) they cost a flag check.
 */
final class WakeEvents {
  private WakeEvents() {}

  /** Waiters of a stream were woken: by this process's own commit or by a notification. */
  @Name("io.tributary.StreamWake")
  @Label("Stream wake")
  @Category({"Tributary", "Live reads"})
  @StackTrace(false)
  static final class StreamWake extends Event {
    @Label("Stream id")
    long streamId;

    @Label("Waiters woken")
    int waiters;

    @Label("From a notification")
    @Description("false: woken right after a commit of this process")
    boolean notified;
  }

  /** A parked reader re-queried after a wake, a re-check or its deadline (its duration: the query). */
  @Name("io.tributary.ParkedRequery")
  @Label("Parked re-query")
  @Category({"Tributary", "Live reads"})
  @StackTrace(false)
  static final class ParkedRequery extends Event {
    @Label("Wake-up key")
    long streamId;

    @Label("Answered")
    @Description("the re-query found what the reader waits for")
    boolean answered;
  }

  static void wake(long streamId, int waiters, boolean notified) {
    var e = new StreamWake();
    if (e.shouldCommit()) {
      e.streamId = streamId;
      e.waiters = waiters;
      e.notified = notified;
      e.commit();
    }
  }
}
