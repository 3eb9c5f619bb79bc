package io.tributary.postgres;

/**
 * The byte-order range of the strings that start with a prefix, for an index range scan in the C
 * collation: {@code s >= prefix AND s < upperBound(prefix)} holds exactly for those strings,
 * because UTF-8 byte order is code point order.
 */
final class PrefixRange {
  private PrefixRange() {}

  /**
   * The least string greater than every string starting with {@code prefix}: the prefix with its
   * last code point raised by one (surrogates skipped; a last code point U+10FFFF is dropped and
   * the one before raised). Null when there is none (an empty prefix, or only U+10FFFF).
   */
  static String upperBound(String prefix) {
    int end = prefix.length();
    while (end > 0) {
      int cp = prefix.codePointBefore(end);
      int start = end - Character.charCount(cp);
      if (cp < Character.MAX_CODE_POINT) {
        int next = cp + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : cp + 1;
        return prefix.substring(0, start) + Character.toString(next);
      }
      end = start;
    }
    return null;
  }
}
