package io.tributary.api;

import java.util.Objects;
import java.util.UUID;

/**
 * An execution id, text form {@code {fp:N}:<uuid>}: a partition index N (0..65535) baked in at
 * mint time, and a UUID. {@link #parse} normalises the UUID to canonical lowercase, so two
 * spellings of one UUID are the same id.
 */
public record ExecutionId(int partition, UUID uuid) {
  private static final String PREFIX = "{fp:";
  private static final String TAG_END = "}:";

  public ExecutionId {
    if (partition < 0 || partition > 0xFFFF) {
      throw new ValidationException(
          ValidationKind.INVALID_EXECUTION_ID, "partition index out of u16 range: " + partition);
    }
    Objects.requireNonNull(uuid, "uuid");
  }

  /** A fresh id with a random v4 UUID in the given partition. */
  public static ExecutionId random(int partition) {
    return new ExecutionId(partition, UUID.randomUUID());
  }

  /**
   * Parses {@code {fp:N}:<uuid>}.
   *
   * @throws ValidationException kind {@link ValidationKind#INVALID_EXECUTION_ID} when the tag is
   *     missing, N is not a u16, or the UUID does not parse
   */
  public static ExecutionId parse(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      throw bad("missing '{fp:' tag", text);
    }
    int end = text.indexOf(TAG_END, PREFIX.length());
    if (end < 0) {
      throw bad("missing '}:' after partition", text);
    }
    String digits = text.substring(PREFIX.length(), end);
    if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(ExecutionId::isDigit)) {
      throw bad("invalid partition index", text);
    }
    int partition = Integer.parseInt(digits);
    if (partition > 0xFFFF) {
      throw bad("partition index exceeds u16", text);
    }
    return new ExecutionId(partition, parseUuid(text.substring(end + TAG_END.length()), text));
  }

  private static UUID parseUuid(String s, String whole) {
    String hex = s;
    if (hex.length() == 38 && hex.startsWith("{") && hex.endsWith("}")) {
      hex = hex.substring(1, 37);
    }
    if (hex.length() == 32 && hex.chars().allMatch(ExecutionId::isHex)) {
      hex =
          hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
              + hex.substring(16, 20) + "-" + hex.substring(20);
    }
    if (hex.length() != 36) {
      throw bad("invalid uuid", whole);
    }
    for (int i = 0; i < 36; i++) {
      char c = hex.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : !isHex(c)) {
        throw bad("invalid uuid", whole);
      }
    }
    return UUID.fromString(hex);
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(int c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static ValidationException bad(String why, String text) {
    return new ValidationException(
        ValidationKind.INVALID_EXECUTION_ID, "invalid execution_id: " + why + " in '" + text + "'");
  }

  @Override
  public String toString() {
    return PREFIX + partition + TAG_END + uuid;
  }
}
