package io.tributary.settings;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Frozen values of a declared list of {@link Setting}s, each checked against its rules. A
 * configuration object holds one and reads its values from it; its {@code toString} is {@link
 * #describe(String)}, which shows every value the way its setting allows (secrets masked).
 */
public final class Settings {
  private final Map<Setting<?>, Object> values;

  private Settings(Map<Setting<?>, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** A builder holding the defaults of {@code declared}, in that order. */
  public static Builder builder(List<Setting<?>> declared) {
    return new Builder(declared);
  }

  /**
   * The value of {@code setting}.
   *
   * @throws IllegalArgumentException when the setting is not among the declared ones
   */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    if (!values.containsKey(setting)) {
      throw new IllegalArgumentException(setting.name() + " is not declared here");
    }
    return (T) values.get(setting);
  }

  /** Whether {@code setting} is among the declared ones. */
  public boolean declares(Setting<?> setting) {
    return values.containsKey(setting);
  }

  /** {@code title[name=value, ...]} in declaration order, every value as its setting shows it. */
  public String describe(String title) {
    return values.keySet().stream().map(this::shown).collect(Collectors.joining(", ", title + "[", "]"));
  }

  private <T> String shown(Setting<T> setting) {
    return setting.name() + "=" + setting.show(get(setting));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Settings other && values.keySet().equals(other.values.keySet())
        && values.keySet().stream().allMatch(s -> Objects.deepEquals(values.get(s), other.values.get(s)));
  }

  @Override
  public int hashCode() {
    return values.entrySet().stream()
        .mapToInt(e -> 31 * e.getKey().hashCode() + Arrays.deepHashCode(new Object[] {e.getValue()}))
        .sum();
  }

  /** Mutable values of the declared settings; {@link #build()} checks and freezes them. */
  public static final class Builder {
    private final Map<Setting<?>, Object> values = new LinkedHashMap<>();

    private Builder(List<Setting<?>> declared) {
      for (var setting : declared) {
        values.put(setting, setting.defaultValue());
      }
    }

    /**
     * Sets {@code setting} to {@code value}, normalised by the setting.
     *
     * @throws IllegalArgumentException when the setting is not among the declared ones
     */
    public <T> Builder set(Setting<T> setting, T value) {
      if (!values.containsKey(setting)) {
        throw new IllegalArgumentException(setting.name() + " is not declared here");
      }
      values.put(setting, setting.normalise(value));
      return this;
    }

    /** Takes every value of {@code other} whose setting this builder declares too. */
    public Builder setAll(Settings other) {
      for (var setting : other.values.keySet()) {
        if (values.containsKey(setting)) {
          take(setting, other);
        }
      }
      return this;
    }

    private <T> void take(Setting<T> setting, Settings other) {
      set(setting, other.get(setting));
    }

    /**
     * The values, frozen.
     *
     * @throws NullPointerException when a required setting has no value
     * @throws IllegalArgumentException when a value breaks a rule of its setting (the first
     *     such, in declaration order)
     */
    public Settings build() {
      values.keySet().forEach(this::check);
      return new Settings(values);
    }

    private <T> void check(Setting<T> setting) {
      @SuppressWarnings("unchecked")
      T value = (T) values.get(setting);
      setting.check(value);
    }
  }
}
