package io.tributary.api;

import java.util.Objects;

/**
 * An idempotent producer's stamp on an append: the producer, its epoch and the request's sequence
 * number within that epoch.
 */
public record NamedStreamProducer(String id, long epoch, long seq) {
  public NamedStreamProducer {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("producer id must not be empty");
    }
    if (epoch < 0 || seq < 0) {
      throw new IllegalArgumentException("producer epoch and seq must be >= 0");
    }
  }
}
