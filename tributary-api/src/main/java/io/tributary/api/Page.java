package io.tributary.api;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param items the page's items, in the listing's order
 * @param next the opaque cursor that continues after the last item, or null on the last page
 * @param <T> the item type
 */
public record Page<T>(List<T> items, String next) {
  public Page {
    items = List.copyOf(items);
  }

  /** The cursor of the next page, empty on the last page. */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(next);
  }
}
