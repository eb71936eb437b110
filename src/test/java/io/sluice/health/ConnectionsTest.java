package io.sluice.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** PostgreSQL and Redis answer through the same Quarkus clients the data path uses. */
@QuarkusTest
class ConnectionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Pool postgres;

    @Inject
    ReactiveRedisDataSource redis;

    @Test
    void postgresHasTheMigratedSchemaWithTheDedupConstraint() {
        Row constraint =
                postgres.query("""
                        SELECT pg_get_constraintdef(c.oid) AS definition
                          FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                         WHERE t.relname = 'events' AND c.contype = 'u'
                        """).execute().await().atMost(TIMEOUT).iterator().next();

        assertThat(constraint.getString("definition")).isEqualTo("UNIQUE (tenant, source, event_id)");
    }

    @Test
    void redisSetIfAbsentClaimsAKeyOnlyOnce() {
        var values = redis.value(String.class);
        String key = "test:connections:" + UUID.randomUUID();

        Boolean first = values.setnx(key, "owner-1").await().atMost(TIMEOUT);
        Boolean second = values.setnx(key, "owner-2").await().atMost(TIMEOUT);

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(values.get(key).await().atMost(TIMEOUT)).isEqualTo("owner-1");
        redis.key().del(key).await().atMost(TIMEOUT);
    }
}
