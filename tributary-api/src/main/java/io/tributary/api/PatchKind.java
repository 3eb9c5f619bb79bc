package io.tributary.api;

/** How a DurableSummary payload changes the summary document. */
public enum PatchKind {
  /** RFC 7396 JSON Merge Patch, with {@code __ff_null__} storing a literal null. */
  JSON_MERGE_PATCH("json-merge-patch");

  private final String wire;

  PatchKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
