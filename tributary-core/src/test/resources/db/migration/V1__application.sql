-- An application's own first migration, on the classpath next to Tributary's: the test
-- ApplicationMigrationsTest checks that neither Flyway run sees the other's scripts or history.
CREATE TABLE app_widget (id bigint PRIMARY KEY, name text NOT NULL);
