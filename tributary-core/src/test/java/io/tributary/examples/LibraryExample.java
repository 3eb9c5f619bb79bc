package io.tributary.examples;

import io.tributary.api.CloseReason;
import io.tributary.api.ExecutionId;
import io.tributary.api.Frame;
import io.tributary.api.StreamCursor;
import io.tributary.api.StreamFrames;
import io.tributary.api.TailOptions;
import io.tributary.api.Tributary;
import io.tributary.postgres.PostgresTributary;
import io.tributary.postgres.StoreConfig;
import java.time.Duration;

public class LibraryExample {
  public static void main(String[] args) {
    var config = StoreConfig.builder("jdbc:postgresql://localhost:5432/app")
        .user("app")
        .password(System.getenv("PGPASSWORD"))
        .build();
    run(config);
  }

  static StreamFrames run(StoreConfig config) {
    try (Tributary tributary = PostgresTributary.open(config)) { // pool, migrations, listener
      var attempts = tributary.attemptStreams();
      var handle = attempts.startAttempt(ExecutionId.random(0), Duration.ofSeconds(30));
      attempts.append(handle, Frame.of("log", "hello"));
      attempts.append(handle, Frame.of("log", "world"));
      StreamFrames frames = attempts.tail(
          handle.attempt(), StreamCursor.fromBeginning(), TailOptions.waitingUpTo(Duration.ofSeconds(5)));
      frames.frames().forEach(f -> System.out.println(f.id() + " " + f.frameType()));
      attempts.closeAttempt(handle, CloseReason.ATTEMPT_SUCCESS);
      return frames;
    }
  }
}
