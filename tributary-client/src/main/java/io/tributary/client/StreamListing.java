package io.tributary.client;

/**
 * A named stream as {@code GET /v1/streams} lists it.
 *
 * @param path its full path, e.g. {@code /v1/stream/chat/42}
 * @param contentType its content type
 * @param createdAtMs when it was created
 * @param closed whether it is closed
 * @param frameCount lifetime appends
 * @param totalBytes lifetime payload bytes
 * @param expiresAtMs when it expires, or null when it never does
 */
public record StreamListing(
    String path, String contentType, long createdAtMs, boolean closed, long frameCount, long totalBytes,
    Long expiresAtMs) {}
