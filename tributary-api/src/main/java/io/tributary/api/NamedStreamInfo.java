package io.tributary.api;

import java.util.Locale;

/**
 * A named stream's metadata at one moment.
 *
 * @param id the stream's internal id (changes when a URL is deleted and created again)
 * @param contentType the content type as given at creation
 * @param json true for message mode ({@code application/json}): one frame per message
 * @param tailPos the position after the last byte (0 for an empty, unforked stream)
 * @param closed true once the stream was closed; closed streams take no more data
 * @param ttlSeconds the sliding idle window, or null
 * @param expiresAtMs the absolute expiry (ms since the epoch), or null
 */
public record NamedStreamInfo(
    long id,
    String contentType,
    boolean json,
    long tailPos,
    boolean closed,
    Long ttlSeconds,
    Long expiresAtMs) {

  /** The media type that switches a stream to message (JSON) mode. */
  public static final String JSON_MEDIA_TYPE = "application/json";

  /**
   * The comparable part of a content type: lower-cased, without parameters or spaces, e.g.
   * {@code "Application/JSON; charset=utf-8"} gives {@code application/json}. Null stays null.
   */
  public static String mediaTypeOf(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    var bare = semi < 0 ? contentType : contentType.substring(0, semi);
    return bare.strip().toLowerCase(Locale.ROOT);
  }

  /** True when a content type selects message (JSON) mode. */
  public static boolean isJson(String contentType) {
    return JSON_MEDIA_TYPE.equals(mediaTypeOf(contentType));
  }
}
