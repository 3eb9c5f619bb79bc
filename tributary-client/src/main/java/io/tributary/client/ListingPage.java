package io.tributary.client;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param items the items, in the listing's order
 * @param next the opaque cursor of the next page, or null on the last page
 * @param <T> the item type
 */
public record ListingPage<T>(List<T> items, String next) {
  public ListingPage {
    items = List.copyOf(items);
  }

  /** The next page's cursor; empty on the last page. */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(next);
  }
}
