package io.tributary.client;

/**
 * An attempt's rolling summary: the fold of its summary patches.
 *
 * @param documentJson the document as JSON text
 * @param version increases with every patch
 * @param lastUpdatedMs when the last patch was applied
 */
public record Summary(String documentJson, long version, long lastUpdatedMs) {}
