package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.TestDatabase;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The start-up check reads Flyway's history through the reactive client and finds it equal to
 * the migrations shipped only when Flyway applied exactly them, from the same text: a database
 * migrated by Flyway itself holds the checksums compared here.
 */
@QuarkusTest
class SchemaMigrationTest {

    private static final String SCRATCH = "sluice_schema_check";

    @Inject
    SchemaMigration migration;

    @Inject
    SluiceConfig config;

    @Inject
    Vertx vertx;

    @Test
    void theStartedApplicationsDatabaseHoldsTheShippedSchema() {
        assertThat(migration.whyMigrate()).isEmpty();
    }

    @Test
    void flywayRunsOnANewDatabaseNotOnAMigratedOneAndAgainWhenAMigrationWasEdited() throws Exception {
        try (Connection server = TestDatabase.connect();
                Statement sql = server.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS " + SCRATCH);
            sql.execute("CREATE DATABASE " + SCRATCH);
        }
        String tests = TestDatabase.url();
        URI url = URI.create(tests.substring(0, tests.lastIndexOf('/') + 1) + SCRATCH);
        Pool pool = PgBuilder.pool()
                .connectingTo(new PgConnectOptions()
                        .setHost(url.getHost())
                        .setPort(url.getPort())
                        .setDatabase(SCRATCH)
                        .setUser("postgres"))
                .using(vertx)
                .build();
        try {
            SchemaMigration scratch = new SchemaMigration(pool, null, config);

            assertThat(scratch.whyMigrate())
                    .hasValueSatisfying(why -> assertThat(why).startsWith("the migration history is not readable"));

            Flyway.configure()
                    .dataSource("jdbc:" + url, "postgres", "")
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            assertThat(scratch.whyMigrate()).isEmpty();

            try (Connection db = DriverManager.getConnection("jdbc:" + url, "postgres", "");
                    Statement sql = db.createStatement()) {
                sql.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '3'");
            }
            assertThat(scratch.whyMigrate()).hasValue("V3__alerts.sql differs from the one applied");
        } finally {
            pool.closeAndAwait();
            try (Connection server = TestDatabase.connect();
                    Statement sql = server.createStatement()) {
                sql.execute("DROP DATABASE IF EXISTS " + SCRATCH + " WITH (FORCE)");
            }
        }
    }
}
