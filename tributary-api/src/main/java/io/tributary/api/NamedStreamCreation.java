package io.tributary.api;

/**
 * The outcome of a create ({@code PUT}).
 *
 * @param status what happened
 * @param info the stream at the URL for {@link Status#CREATED}, {@link Status#EXISTS} and {@link
 *     Status#CONFLICT} (when one is there); null otherwise
 * @param detail a human-readable reason for the refusals, else null
 */
public record NamedStreamCreation(Status status, NamedStreamInfo info, String detail) {
  /** What a create did. */
  public enum Status {
    /** A new stream was created. */
    CREATED,
    /** A stream with the same configuration already existed; nothing changed. */
    EXISTS,
    /** The URL holds a stream with another configuration, or a deleted one forks still read. */
    CONFLICT,
    /** The fork source does not exist (or has expired). */
    SOURCE_NOT_FOUND,
    /** The fork source was deleted but is kept for its forks; it cannot be forked again. */
    SOURCE_GONE,
    /** The fork asked for a content type other than its source's. */
    CONTENT_TYPE_MISMATCH,
    /** The fork offset or sub-offset lies past the source's data or inside a message. */
    BAD_FORK_OFFSET
  }
}
