package io.sluice.health;

import static io.sluice.testing.Http.management;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.sluice.testing.OwnBackendsProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the backends: each of Kafka, PostgreSQL and Redis taken away turns it
 * DOWN (and names the culprit), bringing it back turns it UP, and liveness never depends on
 * them. Kafka is a private broker that is really killed; PostgreSQL and Redis are reached
 * through a proxy that is cut, so the machine's servers keep serving the other tests.
 */
@QuarkusTest
@TestProfile(HealthDownTest.IsolatedBackends.class)
class HealthDownTest {

    private static final Duration CHANGE = Duration.ofSeconds(60);

    @Test
    void postgresDownTurnsReadinessDownAndBackUp() {
        assertAllReady();
        IsolatedBackendsResource.postgres().cut();
        try {
            awaitDown(HealthChecks.POSTGRES);
        } finally {
            IsolatedBackendsResource.postgres().restore();
        }
        awaitAllReady();
    }

    @Test
    void redisDownTurnsReadinessDownAndBackUp() {
        assertAllReady();
        IsolatedBackendsResource.redis().cut();
        try {
            awaitDown(HealthChecks.REDIS);
        } finally {
            IsolatedBackendsResource.redis().restore();
        }
        awaitAllReady();
    }

    @Test
    void killedKafkaTurnsReadinessDownAndBackUp() {
        assertAllReady();
        IsolatedBackendsResource.kafka().kill(1);
        try {
            awaitDown(HealthChecks.KAFKA);
        } finally {
            IsolatedBackendsResource.kafka().start(1);
        }
        awaitAllReady();
    }

    private static void awaitDown(String check) {
        await().atMost(CHANGE)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> ready().statusCode(503)
                        .body("status", is("DOWN"))
                        .body("checks.findAll { it.status == 'DOWN' }.name", hasItem(check)));
        management().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }

    private static void awaitAllReady() {
        await().atMost(CHANGE).pollInterval(Duration.ofMillis(500)).untilAsserted(HealthDownTest::assertAllReady);
    }

    private static void assertAllReady() {
        ready().statusCode(200).body("status", is("UP")).body("checks.status", everyItem(is("UP")));
    }

    private static ValidatableResponse ready() {
        return management().get("/q/health/ready").then();
    }

    public static class IsolatedBackends extends OwnBackendsProfile {
        public IsolatedBackends() {
            super(
                    IsolatedBackendsResource.class,
                    Map.of(
                            // Short timeouts so a lost backend shows within seconds.
                            "sluice.health.kafka-timeout", "2s",
                            "quarkus.redis.timeout", "2S",
                            "quarkus.datasource.reactive.idle-timeout", "PT1S"));
        }
    }
}
