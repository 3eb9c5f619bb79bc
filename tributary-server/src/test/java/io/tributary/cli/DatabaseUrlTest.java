package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {
  @Test
  void libpqUrlBecomesJdbcUrlPlusCredentials() {
    var url = DatabaseUrl.parse("postgresql://app:p%40ss:w@db.internal:6543/streams?sslmode=require");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/streams?sslmode=require");
    assertThat(url.user()).isEqualTo("app");
    assertThat(url.password()).isEqualTo("p@ss:w");
    assertThat(url.toString()).doesNotContain("p@ss");
  }

  @Test
  void defaultsArePort5432AndDatabasePostgres() {
    var url = DatabaseUrl.parse("postgres://localhost");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
    assertThat(url.user()).isNull();
    assertThat(url.password()).isNull();
  }

  @Test
  void jdbcUrlsPassThrough() {
    var url = DatabaseUrl.parse("jdbc:postgresql://h/db?user=x");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db?user=x");
  }

  @Test
  void otherSchemesAreRejectedWithAnExample() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("postgresql://user:password@host:port/database");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db"))
        .hasMessage("database URL names no host");
  }
}
