package io.tributary.cli;

import io.tributary.server.ServerConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --max-live-readers}: a positive count, or {@code auto}. */
final class LiveReaderCapConverter implements ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    if (value.strip().equalsIgnoreCase("auto")) {
      return ServerConfig.AUTO_MAX_LIVE_READERS;
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new TypeConversionException("expected a positive number or 'auto', got '" + value + "'");
  }
}
