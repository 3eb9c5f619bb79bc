package io.tributary.postgres;

import io.tributary.api.NamedStreamStore;
import io.tributary.contract.NamedStreamStoreContract;
import io.tributary.testing.EmbeddedPostgres;
import java.time.Clock;

/** The named-stream contract on the PostgreSQL store (embedded PostgreSQL 18, one database). */
class PostgresNamedStreamStoreTest extends NamedStreamStoreContract {
  private final String url = EmbeddedPostgres.createDatabase("named_streams_store");

  @Override
  protected NamedStreamStore openStore(Clock clock) {
    return PostgresNamedStreamStore.open(
        StoreConfig.builder(url).user("postgres").poolSize(4).clock(clock).build());
  }

  @Override
  protected int parkedReaders(NamedStreamStore store) {
    return ((PostgresNamedStreamStore) store).database().notifier().parkedReaders();
  }
}
