package io.sluice.health;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.given;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.Http;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Health and metrics are served on the management interface, a port of its own, and nowhere on
 * the API's port: the metrics name every tenant and readiness names Kafka settings, views for
 * the platform's operators that the tenants' port must not answer, with a credential or without.
 */
@QuarkusTest
class ManagementInterfaceTest {

    private static final List<String> MANAGEMENT_PATHS =
            List.of("/q/metrics", "/q/metrics/", "/q/health", "/q/health/live", "/q/health/ready", "/q/health/started");

    @TestHTTPResource("/")
    URI app;

    @Test
    void theManagementPortServesMetricsAndHealthWithoutCredentials() {
        assertThat(Http.managementUri().getPort()).as("a port of its own").isNotEqualTo(app.getPort());
        String metrics =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("# TYPE ").contains("sluice_");
        for (String path : MANAGEMENT_PATHS.subList(2, MANAGEMENT_PATHS.size())) {
            management().get(path).then().statusCode(200);
        }
    }

    @Test
    void theApiPortAnswersNeitherMetricsNorHealth() {
        for (String path : MANAGEMENT_PATHS) {
            anonymous().get(path).then().statusCode(404);
            // Not a matter of credentials: an admin key finds nothing there either.
            given().get(path).then().statusCode(404);
        }
    }

    @Test
    void theApiAndItsDescriptionStayOnTheApiPort() {
        management().get("/v1/alerts").then().statusCode(404);
        management().get("/q/openapi").then().statusCode(404);
        // The tenants' contract: client generators fetch it where they call the API.
        anonymous().get("/q/openapi").then().statusCode(200);
        anonymous().get("/q/swagger-ui/").then().statusCode(200);
    }
}
