package io.tributary.postgres;

import java.sql.DriverManager;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Brings the schema to the latest version with Flyway, on its own connection (with a pool of one
 * it would wait for itself). A database user that lacks a privilege the migration needs gets a
 * message naming the privilege, the schema, the database and the statement that grants it,
 * at once: Flyway itself retries creating its history table for about ten seconds and then
 * reports only "permission denied … Run Flyway with -X option".
 */
final class SchemaMigration {
  /**
   * Where the scripts are: a path of our own, so an application's {@code db/migration} scripts
   * and ours never see each other.
   */
  static final String LOCATION = "classpath:io/tributary/db/migration";
  /** Tributary's own history table, apart from the application's {@code flyway_schema_history}. */
  static final String HISTORY_TABLE = "tributary_schema_history";

  /** SQLSTATE insufficient_privilege. */
  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  private SchemaMigration() {}

  /**
   * Applies the pending migrations, if any.
   *
   * @throws IllegalStateException when the user may not create in or use the schema, or lacks
   *     another privilege a migration needs; the message says which and how to grant it
   * @throws FlywayException for any other migration failure
   */
  static void migrate(StoreConfig config) {
    var flyway =
        Flyway.configure()
            .dataSource(config.jdbcUrl(), config.user(), config.password())
            .locations(LOCATION)
            .table(HISTORY_TABLE)
            .schemas(config.schema())
            .defaultSchema(config.schema())
            // a schema the application's own tables already fill: ours are all still to apply
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load();
    try {
      if (flyway.info().pending().length > 0) {
        requireSchemaPrivileges(config);
      }
      flyway.migrate();
    } catch (FlywayException e) {
      SQLException denied = insufficientPrivilege(e);
      if (denied == null) {
        throw e;
      }
      throw new IllegalStateException(
          "the database user may not change the schema as migrating it needs (" + denied.getMessage()
              + "); connect as the owner of the schema and its tables, or grant what is missing", e);
    }
  }

  /** Fails when the migration could not create its tables: no CREATE or USAGE on the schema. */
  private static void requireSchemaPrivileges(StoreConfig config) {
    var props = ConnectionProperties.of(config, "tributary-migration", 5);
    try (var c = DriverManager.getConnection(config.jdbcUrl(), props);
        var st = c.createStatement();
        var rs = st.executeQuery(
            "SELECT current_user, current_database(), current_schema(),"
                + " has_schema_privilege(current_schema(), 'USAGE'), has_schema_privilege(current_schema(), 'CREATE')")) {
      rs.next();
      String user = rs.getString(1);
      String database = rs.getString(2);
      String schema = rs.getString(3);
      if (schema == null && !config.schema().equals(StoreConfig.DEFAULT_SCHEMA)) {
        // a schema of its own that does not exist yet: the migration creates it, and a refusal
        // to do so is reported as a missing privilege below
        return;
      }
      if (schema == null) {
        throw new IllegalStateException(
            "database user \"" + user + "\" has no schema to create Tributary's tables in: no schema of its"
                + " search_path exists in database \"" + database + "\"; create one (e.g. CREATE SCHEMA tributary"
                + " AUTHORIZATION " + user + ") or set the user's search_path");
      }
      var missing = new StringBuilder();
      if (!rs.getBoolean(4)) {
        missing.append("USAGE");
      }
      if (!rs.getBoolean(5)) {
        missing.append(missing.isEmpty() ? "" : " and ").append("CREATE");
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "database user \"" + user + "\" lacks the " + missing + " privilege on schema \"" + schema
                + "\" of database \"" + database + "\", which creating Tributary's tables needs: run GRANT "
                + missing.toString().replace(" and ", ", ") + " ON SCHEMA " + schema + " TO " + user
                + " as the schema's owner, or connect as a user that owns the schema");
      }
    } catch (SQLException e) {
      // cannot tell; Flyway's own attempt reports whatever is wrong
    }
  }

  private static SQLException insufficientPrivilege(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && INSUFFICIENT_PRIVILEGE.equals(sql.getSQLState())) {
        return sql;
      }
    }
    return null;
  }
}
