package io.sluice.schema;

import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.schema.MigrationHistory.Applied;
import io.sluice.schema.MigrationHistory.Shipped;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Brings the database schema to this build's version at start-up, before anything reads or
 * writes it: the first observer of start-up, ahead of reactive messaging's (priority 1,000), which
 * starts the sink's consumer.
 *
 * <p>Flyway migrates. But starting Flyway, its JDBC pool and driver costs most of a second of
 * a replica's start, and on nearly every start there is nothing to migrate. So Flyway's history
 * is read first, over the reactive client Sluice uses anyway: when it holds exactly the
 * migrations shipped, each applied successfully from the text shipped now (Flyway's own
 * checksum), Flyway is not started. Anything else runs Flyway's migrate: no history yet, a
 * migration not applied, a failed or an edited one (which Flyway's validation refuses, stopping
 * the start as before), one this build does not know, or a history that cannot be read.
 */
@ApplicationScoped
public class SchemaMigration {

    private static final Logger LOG = Logger.getLogger(SchemaMigration.class);

    static final String LOCATION = "db/migration/";

    /** Every migration in {@link #LOCATION}, in order (MigrationHistoryTest holds this list to the directory). */
    static final List<String> SHIPPED = List.of(
            "V1__events.sql",
            "V2__event_content.sql",
            "V3__alerts.sql",
            "V4__security.sql",
            "V5__reconcile_and_dead_letters.sql",
            "V6__record_identity.sql",
            "V7__acknowledged_counts.sql",
            "V8__tenant_quotas.sql",
            "V9__rules_by_type.sql");

    private static final Duration HISTORY_TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;
    private final Instance<Flyway> flyway;
    private final boolean migrateAtStart;

    SchemaMigration(Pool pool, Instance<Flyway> flyway, SluiceConfig config) {
        this.pool = pool;
        this.flyway = flyway;
        this.migrateAtStart = config.schema().migrateAtStart();
    }

    void migrateAtStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent startup) {
        if (!migrateAtStart) {
            return;
        }
        Optional<String> why = whyMigrate();
        if (why.isEmpty()) {
            LOG.infof("schema up to date: the %d migrations shipped are applied as shipped", SHIPPED.size());
            return;
        }
        LOG.infof("schema: %s; migrating with Flyway", why.get());
        flyway.get().migrate();
    }

    /** Why Flyway must run now, or empty when the database holds this build's schema. */
    Optional<String> whyMigrate() {
        List<Applied> applied = new ArrayList<>();
        try {
            // The default history table: one renamed (quarkus.flyway.table) is not found, and Flyway runs each start.
            pool.query("SELECT script, checksum, success FROM flyway_schema_history ORDER BY installed_rank")
                    .execute()
                    .await()
                    .atMost(HISTORY_TIMEOUT)
                    .forEach(row -> applied.add(new Applied(
                            row.getString("script"), row.getInteger("checksum"), row.getBoolean("success"))));
        } catch (RuntimeException e) {
            return Optional.of("the migration history is not readable (" + e.getMessage() + ")");
        }
        return MigrationHistory.whyMigrate(shipped(), applied);
    }

    static List<Shipped> shipped() {
        List<Shipped> shipped = new ArrayList<>();
        for (String file : SHIPPED) {
            try (InputStream text = SchemaMigration.class.getClassLoader().getResourceAsStream(LOCATION + file)) {
                if (text == null) {
                    throw new IllegalStateException("migration " + LOCATION + file + " is not on the class path");
                }
                shipped.add(new Shipped(file, MigrationHistory.checksum(text)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shipped;
    }
}
