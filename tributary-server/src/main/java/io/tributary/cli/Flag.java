package io.tributary.cli;

import io.tributary.settings.Setting;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One flag of {@code tributary serve}: the {@link Setting} it gives and its line of help. Its
 * environment variable ({@code --max-body-bytes} reads {@code TRIBUTARY_MAX_BODY_BYTES}), its
 * default and its help text follow from them.
 *
 * @param setting the setting the flag gives
 * @param name the flag, e.g. {@code --port}
 * @param doc what the flag does, one sentence without a final period
 * @param defaultText the default as given on the command line, or null for none
 * @param ifUnset what happens without a value, for flags without a default; or null
 * @param converter how the text becomes a value, or null for picocli's own
 * @param <T> the value's type
 */
record Flag<T>(
    Setting<T> setting, String name, String doc, String defaultText, String ifUnset, ITypeConverter<T> converter) {
  /** The flag {@code name} for {@code setting}, defaulting to the setting's default. */
  @SuppressWarnings("unchecked")
  static <T> Flag<T> of(Setting<T> setting, String name, String doc) {
    var converter = setting.type() == Duration.class ? (ITypeConverter<T>) new DurationConverter() : null;
    return new Flag<>(setting, name, doc, text(setting.defaultValue()), null, converter);
  }

  /** The same flag, its default written as {@code text} (a word a converter reads, say). */
  Flag<T> defaultText(String text) {
    return new Flag<>(setting, name, doc, text, ifUnset, converter);
  }

  /** The same flag, saying in its help what happens without a value. */
  Flag<T> ifUnset(String meaning) {
    return new Flag<>(setting, name, doc, defaultText, meaning, converter);
  }

  /** The same flag, its text read by {@code converter}. */
  Flag<T> converter(ITypeConverter<T> converter) {
    return new Flag<>(setting, name, doc, defaultText, ifUnset, converter);
  }

  /** The environment variable the flag's value comes from when the flag is not given. */
  String env() {
    return "TRIBUTARY_" + name.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The flag in camel case: {@code --max-body-bytes} is {@code maxBodyBytes}. */
  private String label() {
    var words = name.substring(2).split("-");
    var label = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      label.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
    }
    return label.toString();
  }

  /** The picocli option: the flag, else its variable, else its default. */
  OptionSpec option() {
    var option =
        OptionSpec.builder(name)
            .type(setting.type())
            .paramLabel("<" + label() + ">")
            .defaultValue("${env:" + env() + (defaultText == null ? "" : ":-" + defaultText) + "}")
            .description(
                doc + " (env " + env() + (defaultText == null ? "" : ", default ${DEFAULT-VALUE}") + ")."
                    + (ifUnset == null ? "" : " Default: " + ifUnset + "."));
    if (converter != null) {
      option.converters(converter);
    }
    return option.build();
  }

  /**
   * A default as one would type it: durations under a second in milliseconds, under an hour in
   * seconds, longer ones in ISO-8601.
   */
  private static String text(Object value) {
    if (value instanceof Duration d && d.toSeconds() < 1 && d.toNanos() % 1_000_000 == 0) {
      return d.toMillis() + "ms";
    }
    if (value instanceof Duration d && d.toMillis() % 1000 == 0 && d.toSeconds() < 3600) {
      return d.toSeconds() + "s";
    }
    return value == null ? null : value.toString();
  }
}
