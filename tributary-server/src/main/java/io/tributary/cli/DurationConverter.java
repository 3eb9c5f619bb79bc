package io.tributary.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * Reads {@code 500ms}, {@code 2s}, {@code 1m}, an ISO-8601 duration ({@code PT1S}), or a plain
 * number of milliseconds.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String v = value.strip();
    try {
      if (v.matches("\\d+")) {
        return Duration.ofMillis(Long.parseLong(v));
      }
      if (v.matches("\\d+ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.matches("\\d+s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.matches("\\d+m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.parse(v);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration; use e.g. 500ms, 2s, 1m or PT1S");
    }
  }
}
