package io.tributary.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Java-side validation of DurableSummary patches (§3.1.1 step 5), no database. */
class SummaryPatchTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertInvalid(byte[] payload, String detail) {
    assertThatThrownBy(() -> SummaryPatch.validate(payload))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ValidationKind.INVALID_INPUT);
              assertThat(e.detail()).contains(detail);
            });
  }

  private static String nested(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  @Test
  @DisplayName("a valid object patch is passed through unchanged")
  void valid() {
    byte[] p = utf8("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"e\":\"__ff_null__\"}");
    assertThat(SummaryPatch.validate(p)).isSameAs(p);
    assertThat(SummaryPatch.validate(utf8("{}"))).isEqualTo(utf8("{}"));
    assertThat(SummaryPatch.validate(utf8("  {\"a\" : 1 }\n"))).isEqualTo(utf8("  {\"a\" : 1 }\n"));
  }

  @Test
  @DisplayName("§3.1.1 an empty array is accepted as an empty object patch")
  void emptyArray() {
    assertThat(new String(SummaryPatch.validate(utf8("[]")), StandardCharsets.UTF_8)).isEqualTo("{}");
    assertThat(new String(SummaryPatch.validate(utf8(" [ ] ")), StandardCharsets.UTF_8)).isEqualTo("{}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1,2]", "5", "null", "\"s\"", "true", "[{}]", "-0.5"})
  @DisplayName("§8.21 a non-object root → patch must be a JSON object")
  void nonObject(String text) {
    assertInvalid(utf8(text), "patch must be a JSON object");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "", "   ", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":NaN}"})
  @DisplayName("§8.21 unparseable text → patch payload is not valid JSON")
  void notJson(String text) {
    assertInvalid(utf8(text), "not valid JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1} x", "{\"a\":1}{\"b\":2}", "{\"a\":1}]"})
  @DisplayName("trailing content after the object is not valid JSON")
  void trailingContent(String text) {
    assertInvalid(utf8(text), "not valid JSON");
  }

  @Test
  @DisplayName("bytes that are not UTF-8 are not valid JSON")
  void notUtf8() {
    assertInvalid(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'}, "not valid JSON");
  }

  @Test
  @DisplayName("§8.21 depth 16 is accepted, 17 and 18 are patch_depth_exceeded")
  void depth() {
    assertThat(SummaryPatch.validate(utf8(nested(16)))).isNotNull();
    assertInvalid(utf8(nested(17)), "patch_depth_exceeded");
    assertInvalid(utf8(nested(18)), "patch_depth_exceeded");
  }

  @Test
  @DisplayName("NUL characters (which jsonb cannot store) are rejected in values and keys")
  void nul() {
    assertInvalid(utf8("{\"a\":\"x\\u0000y\"}"), "NUL");
    assertInvalid(utf8("{\"a\\u0000\":1}"), "NUL");
    assertInvalid(utf8("{\"a\":[\"\\u0000\"]}"), "NUL");
    assertInvalid(utf8("{\"a\":{\"b\\u0000\":1}}"), "NUL");
  }
}
