package io.tributary.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Case-insensitive, order-preserving header multimap (names kept as first given). */
public final class HttpHeaders {
  private final Map<String, List<String>> values = new LinkedHashMap<>();
  private final Map<String, String> names = new LinkedHashMap<>();

  public static HttpHeaders of(String... nameValuePairs) {
    var h = new HttpHeaders();
    for (int i = 0; i + 1 < nameValuePairs.length; i += 2) {
      h.add(nameValuePairs[i], nameValuePairs[i + 1]);
    }
    return h;
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** Adds a value, keeping earlier ones. */
  public HttpHeaders add(String name, String value) {
    names.putIfAbsent(key(name), name);
    values.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
    return this;
  }

  /** Replaces all values of a header. */
  public HttpHeaders set(String name, String value) {
    names.put(key(name), name);
    var list = new ArrayList<String>();
    list.add(value);
    values.put(key(name), list);
    return this;
  }

  public HttpHeaders remove(String name) {
    names.remove(key(name));
    values.remove(key(name));
    return this;
  }

  /** The first value, or null. */
  public String first(String name) {
    var list = values.get(key(name));
    return list == null || list.isEmpty() ? null : list.getFirst();
  }

  public List<String> all(String name) {
    return values.getOrDefault(key(name), List.of());
  }

  public boolean has(String name) {
    return values.containsKey(key(name));
  }

  /** Visits every (name, value) pair in insertion order. */
  public void forEach(java.util.function.BiConsumer<String, String> visitor) {
    values.forEach((k, list) -> list.forEach(v -> visitor.accept(names.get(k), v)));
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
