package io.tributary.client;

/**
 * What {@code HEAD} tells about a named stream.
 *
 * @param contentType the content type fixed at creation
 * @param nextOffset the offset after the last byte (where an append would start)
 * @param closed whether the stream is closed (permanently)
 */
public record NamedStreamInfo(String contentType, String nextOffset, boolean closed) {
  /** Whether it is a JSON stream (messages rather than bytes). */
  public boolean json() {
    return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
  }
}
