package io.sluice.pitfalls;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sluice.testing.TestCredentials;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Sluice as shipped, on the one-broker local stack: every client setting passes, the topics'
 * replication is a warning (fine for development, named as such), nothing fails, and readiness
 * is UP. The report is Kafka's settings, the platform's: its operator's credential (bound to no
 * tenant) sees it, a tenant's admin gets 403.
 */
@QuarkusTest
class PitfallReportTest {

    @TestHTTPResource("/")
    URI app;

    @Test
    void theShippedSettingsPassAndAOneBrokerClusterIsAWarning() {
        JsonPath report = anonymous()
                .header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP)
                .get("/v1/admin/pitfalls")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(report.getString("status")).isEqualTo("warn");
        assertThat(report.getList("checks.findAll { it.status == 'fail' }")).isEmpty();
        for (String channel : new String[] {"events", "dead-letter", "alerts-out"}) {
            assertThat(status(report, "producer " + channel + ": acks")).isEqualTo("pass");
            assertThat(status(report, "producer " + channel + ": enable.idempotence"))
                    .isEqualTo("pass");
        }
        assertThat(status(report, "producer events: retries")).isEqualTo("pass");
        assertThat(status(report, "producer events: delivery.timeout.ms")).isEqualTo("pass");
        assertThat(status(report, "producer events: compression.type")).isEqualTo("pass");
        assertThat(status(report, "consumer events-sink: enable.auto.commit")).isEqualTo("pass");
        assertThat(status(report, "consumer events-sink: commit-strategy")).isEqualTo("pass");
        assertThat(status(report, "topic sluice.events: replication factor")).isEqualTo("warn");
        assertThat(status(report, "topic sluice.events: unclean.leader.election.enable"))
                .isEqualTo("pass");
        // The tests trust a key, an issuer and an audience (TestTokens): JWTs on, and verified.
        assertThat(status(report, "jwt verification")).isEqualTo("pass");
        assertThat(report.getString("checks.find { it.check == 'jwt verification' }.found"))
                .isEqualTo("issuer https://issuer.sluice.test, audience sluice");
        // The tests' bootstrap key is strong enough, and the report says no more about it.
        assertThat(status(report, "bootstrap admin key")).isEqualTo("pass");
        assertThat(report.getString("checks.find { it.check == 'bootstrap admin key' }.found"))
                .isEqualTo("set, at least 32 characters and 128 bits");

        JsonPath ready = management()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(ready.getString("checks.find { it.name == 'pitfalls' }.status"))
                .isEqualTo("UP");

        anonymous().get("/v1/admin/pitfalls").then().statusCode(401);
        anonymous()
                .header("Authorization", "Bearer " + TestCredentials.createKey(app, "pitfalls", "ingest"))
                .get("/v1/admin/pitfalls")
                .then()
                .statusCode(403);
    }

    @Test
    void aTenantsAdminGetsNoReport() {
        String admin = TestCredentials.createKey(app, "pitfalls", "ingest", "subscribe", "admin");
        anonymous()
                .header("Authorization", "Bearer " + admin)
                .get("/v1/admin/pitfalls")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("status", equalTo(403))
                .body("detail", containsString("whole platform"))
                .body(not(containsString("acks")));
    }

    private static String status(JsonPath report, String check) {
        return report.getString("checks.find { it.check == '" + check + "' }.status");
    }
}
