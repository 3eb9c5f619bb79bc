package io.tributary.protocol.ds;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Flight-recorder events of the live feeds, so a recording ({@code -XX:StartFlightRecording})
 * shows each stage of a fan-out: the feed's store wait and read, then its writes to the parked
 * readers. Disabled (the default) they cost a flag check.
 */
final class FeedEvents {
  private FeedEvents() {}

  /** One wait and read of a feed's store (its duration: parked, woken, re-queried). */
  @Name("io.tributary.FeedRead")
  @Label("Feed read")
  @Category({"Tributary", "Live reads"})
  @StackTrace(false)
  static final class FeedRead extends Event {
    @Label("Stream")
    String stream;

    @Label("News")
    @Description("the read brought something the readers had not seen")
    boolean news;
  }

  /** A feed wrote a new page to its parked readers (its duration: issuing the writes). */
  @Name("io.tributary.FeedPush")
  @Label("Feed push")
  @Category({"Tributary", "Live reads"})
  @StackTrace(false)
  static final class FeedPush extends Event {
    @Label("Stream")
    String stream;

    @Label("Readers written")
    int written;

    @Label("Readers woken")
    @Description("readers left to write the page themselves")
    int woken;

    @Label("Bytes per reader")
    int bytes;
  }
}
