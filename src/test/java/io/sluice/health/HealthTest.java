package io.sluice.health;

import static io.sluice.testing.Http.management;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

    @Test
    void readinessChecksKafkaPostgresAndRedisAndAllAreUp() {
        management()
                .when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.name", hasItems(HealthChecks.KAFKA, HealthChecks.POSTGRES, HealthChecks.REDIS))
                .body("checks.status", everyItem(is("UP")));
    }

    @Test
    void livenessAndStartedAnswerUp() {
        management().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
        management().when().get("/q/health/started").then().statusCode(200).body("status", is("UP"));
    }
}
