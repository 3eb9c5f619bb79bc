package io.tributary.api;

/**
 * A stored piece of a named stream as read back.
 *
 * @param endPos the position right after this piece (resume reading from here)
 * @param payload the bytes; one message for JSON streams
 */
public record NamedStreamFrame(long endPos, byte[] payload) {}
