package io.tributary.contract;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.SplittableRandom;

/** JSON helpers for tests: parsing, value equivalence, and a seeded generator of documents/patches. */
public final class JsonSupport {
  private JsonSupport() {}

  public static JsonValue parse(String text) {
    try (var r = Json.createReader(new StringReader(text))) {
      return r.readValue();
    }
  }

  /** The RFC 7396 reference (Parsson). */
  public static JsonValue rfc7396(JsonValue target, JsonValue patch) {
    return Json.createMergePatch(patch).apply(target);
  }

  /** Structural equality; numbers compare by value (1.0 == 1), object key order is ignored. */
  public static boolean equivalent(JsonValue a, JsonValue b) {
    if (a.getValueType() != b.getValueType()) {
      return false;
    }
    return switch (a.getValueType()) {
      case OBJECT -> {
        JsonObject x = a.asJsonObject();
        JsonObject y = b.asJsonObject();
        if (!x.keySet().equals(y.keySet())) {
          yield false;
        }
        for (var k : x.keySet()) {
          if (!equivalent(x.get(k), y.get(k))) {
            yield false;
          }
        }
        yield true;
      }
      case ARRAY -> {
        JsonArray x = a.asJsonArray();
        JsonArray y = b.asJsonArray();
        if (x.size() != y.size()) {
          yield false;
        }
        for (int i = 0; i < x.size(); i++) {
          if (!equivalent(x.get(i), y.get(i))) {
            yield false;
          }
        }
        yield true;
      }
      case NUMBER ->
          ((JsonNumber) a).bigDecimalValue().compareTo(((JsonNumber) b).bigDecimalValue()) == 0;
      case STRING -> ((JsonString) a).getString().equals(((JsonString) b).getString());
      default -> true;
    };
  }

  /**
   * Seeded generator of JSON values. Patches never contain the null sentinel and never hold an
   * empty object as a member value (where the reference and RFC 7396 differ on purpose).
   */
  public static final class Gen {
    private static final String[] KEYS = {"a", "b", "c", "d", "e", "ü", "k y", "\"q\"", "__ff"};
    private static final String[] STRINGS = {
      "", "x", "hello world", "ünïcødé", "😀 emoji", "quote\" back\\slash", "line\nbreak\ttab",
      "__ff_null", "__FF_NULL__", "null", "{}", "[]", "1", "ctl\u0001\u001f"
    };
    private final SplittableRandom rnd;

    public Gen(long seed) {
      this.rnd = new SplittableRandom(seed);
    }

    public SplittableRandom random() {
      return rnd;
    }

    /** Any JSON object (may hold empty objects and nulls). */
    public JsonObject target(int depth) {
      return object(depth, false);
    }

    /** A merge patch: an object whose nested member objects are never empty. */
    public JsonObject patch(int depth) {
      return object(depth, true);
    }

    private JsonObject object(int depth, boolean patch) {
      JsonObjectBuilder b = Json.createObjectBuilder();
      int n = rnd.nextInt(0, 5);
      for (int i = 0; i < n; i++) {
        b.add(KEYS[rnd.nextInt(KEYS.length)], member(depth - 1, patch));
      }
      return b.build();
    }

    private JsonValue member(int depth, boolean patch) {
      int pick = rnd.nextInt(depth > 0 ? 10 : 7);
      return switch (pick) {
        case 0 -> JsonValue.NULL;
        case 1 -> rnd.nextBoolean() ? JsonValue.TRUE : JsonValue.FALSE;
        case 2 -> Json.createValue(rnd.nextLong(-1_000_000_000_000L, 1_000_000_000_000L));
        case 3 -> Json.createValue(BigDecimal.valueOf(rnd.nextLong(-1_000_000, 1_000_000), 3));
        case 4, 5 -> Json.createValue(STRINGS[rnd.nextInt(STRINGS.length)]);
        case 6 -> Json.createValue(rnd.nextInt(0, 1000));
        case 7 -> array(depth - 1);
        default -> {
          JsonObject o = object(depth, patch);
          if (patch && o.isEmpty()) {
            o = Json.createObjectBuilder().add(KEYS[rnd.nextInt(KEYS.length)], member(0, true)).build();
          }
          yield o;
        }
      };
    }

    /** Arrays are replaced wholesale by a merge, so anything may sit inside them. */
    private JsonArray array(int depth) {
      JsonArrayBuilder b = Json.createArrayBuilder();
      int n = rnd.nextInt(0, 4);
      for (int i = 0; i < n; i++) {
        b.add(depth > 0 && rnd.nextInt(4) == 0 ? object(depth, false) : member(0, false));
      }
      return b.build();
    }
  }
}
