package io.tributary.api;

/**
 * The rolling summary of an attempt, folded from its DurableSummary deltas.
 *
 * @param documentJson the document as JSON text (never contains the null sentinel)
 * @param version number of deltas applied, at least 1
 */
public record SummaryDocument(
    String documentJson,
    long version,
    PatchKind patchKind,
    long lastUpdatedMs,
    long firstAppliedMs) {}
