package io.tributary.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One configuration knob, declared once: its name, type and default, the rules a value must keep,
 * how an input is normalised and how a value shows in a log line. A setting is immutable; the
 * refining methods return a new one, so a declaration reads as one chain.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
  private record Rule<T>(Predicate<? super T> holds, Function<? super T, String> problem) {}

  private final String name;
  private final Class<T> type;
  private final T defaultValue;
  private final boolean required;
  private final List<Rule<T>> rules;
  private final UnaryOperator<T> normaliser;
  private final Function<? super T, String> shown;

  private Setting(
      String name,
      Class<T> type,
      T defaultValue,
      boolean required,
      List<Rule<T>> rules,
      UnaryOperator<T> normaliser,
      Function<? super T, String> shown) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.defaultValue = defaultValue;
    this.required = required;
    this.rules = List.copyOf(rules);
    this.normaliser = normaliser;
    this.shown = shown;
  }

  /** A setting without rules whose value shows as itself; {@code defaultValue} may be null. */
  public static <T> Setting<T> of(String name, Class<T> type, T defaultValue) {
    return new Setting<>(name, type, defaultValue, false, List.of(), v -> v, String::valueOf);
  }

  /** The same setting, refusing null with a {@link NullPointerException} naming it. */
  public Setting<T> required() {
    return new Setting<>(name, type, defaultValue, true, rules, normaliser, shown);
  }

  /**
   * The same setting with one more rule: a value for which {@code holds} is false is refused with
   * an {@link IllegalArgumentException} whose message is {@code problem} of it. Rules are checked
   * in the order they were added; null reaches them unless the setting is {@link #required()}.
   */
  public Setting<T> requires(Predicate<? super T> holds, Function<? super T, String> problem) {
    var more = new ArrayList<>(rules);
    more.add(new Rule<>(holds, problem));
    return new Setting<>(name, type, defaultValue, required, more, normaliser, shown);
  }

  /** The same setting, turning every input into {@code normaliser} of it before the rules see it. */
  public Setting<T> normalised(UnaryOperator<T> normaliser) {
    return new Setting<>(name, type, defaultValue, required, rules, normaliser, shown);
  }

  /** The same setting, showing a value in log lines as {@code shown} of it. */
  public Setting<T> shownAs(Function<? super T, String> shown) {
    return new Setting<>(name, type, defaultValue, required, rules, normaliser, shown);
  }

  /** The same setting, showing {@code ***} for a value and {@code null} for none. */
  public Setting<T> secret() {
    return shownAs(v -> v == null ? "null" : "***");
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  /** The value when none is given; may be null. */
  public T defaultValue() {
    return defaultValue;
  }

  /** The input as the setting keeps it. */
  T normalise(T value) {
    return normaliser.apply(value);
  }

  /**
   * Checks a (normalised) value against the rules.
   *
   * @throws NullPointerException when the setting is required and the value null
   * @throws IllegalArgumentException with the first broken rule's message
   */
  void check(T value) {
    if (required) {
      Objects.requireNonNull(value, name);
    }
    for (var rule : rules) {
      if (!rule.holds().test(value)) {
        throw new IllegalArgumentException(rule.problem().apply(value));
      }
    }
  }

  /** How {@code value} shows in a log line: never a secret. */
  String show(T value) {
    return shown.apply(value);
  }

  @Override
  public String toString() {
    return "Setting[" + name + "]";
  }
}
