package io.sluice.dashboard;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.sluice.testing.TestCredentials;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Who sees what on the dashboard: a tenant's admin gets that tenant's figures and nothing of
 * another tenant's, of the replica's counters or of Kafka's settings; the platform's operator
 * (the bootstrap key, bound to no tenant) gets the platform, every tenant's figures added up.
 */
@QuarkusTest
class OverviewResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The ledger appends within 2 s here; the tile is counted again every 10 s. */
    private static final Duration COUNTED = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    URI app;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenantA = "overview-a-" + run;
    private final String tenantB = "overview-b-" + run;

    @Test
    void aTenantsAdminSeesThatTenantAloneAndThePlatformOperatorSeesThePlatform() throws Exception {
        String adminA = TestCredentials.createKey(app, tenantA, "ingest", "subscribe", "admin");
        String adminB = TestCredentials.createKey(app, tenantB, "ingest", "subscribe", "admin");
        post(adminA, 3);
        post(adminB, 5);

        await().atMost(COUNTED).until(() -> overview(adminA).getLong("reconcile.acknowledged") == 3);
        await().atMost(COUNTED).until(() -> overview(adminB).getLong("reconcile.acknowledged") == 5);
        String answer = anonymous()
                .header("Authorization", "Bearer " + adminA)
                .get("/v1/admin/overview")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Map<String, Object> tenantView = JSON.readValue(answer, new TypeReference<>() {});
        assertThat(tenantView.keySet())
                .as("a tenant's figures only: no replica counters, no lag, no pitfall report")
                .containsExactlyInAnyOrder("at", "scope", "tenant", "deadLetters", "drift", "reconcile");
        assertThat(tenantView.get("scope")).isEqualTo("tenant");
        assertThat(tenantView.get("tenant")).isEqualTo(tenantA);
        assertThat(answer).doesNotContain(tenantB).doesNotContain("overview-b-");
        JsonPath a = overview(adminA);
        assertThat(a.getLong("reconcile.stored") + a.getLong("reconcile.deduplicated"))
                .isLessThanOrEqualTo(3);
        assertThat(a.getLong("deadLetters")).isZero();
        assertThat(a.getLong("drift")).isZero();

        await().atMost(COUNTED).until(() -> overview(TestCredentials.BOOTSTRAP).getLong("reconcile.acknowledged") >= 8);
        JsonPath platform = overview(TestCredentials.BOOTSTRAP);
        assertThat(platform.getString("scope")).isEqualTo("platform");
        assertThat(platform.getMap("$")).doesNotContainKey("tenant");
        assertThat(platform.getDouble("ingest.accepted")).isGreaterThanOrEqualTo(8);
        assertThat(platform.getMap("sink")).containsKeys("stored", "duplicates", "deadLettered");
        assertThat(platform.getMap("lag")).containsKeys("partitions", "total");
        assertThat(platform.getBoolean("pitfalls.failed")).isFalse();
        assertThat(platform.getLong("pitfalls.warnings"))
                .as("the one-broker stack")
                .isPositive();
    }

    @Test
    void withoutTheAdminScopeThereIsNoOverview() {
        String ingestOnly = TestCredentials.createKey(app, tenantA, "ingest", "subscribe");
        anonymous()
                .header("Authorization", "Bearer " + ingestOnly)
                .get("/v1/admin/overview")
                .then()
                .statusCode(403);
        anonymous().get("/v1/admin/overview").then().statusCode(401);
    }

    private static JsonPath overview(String key) {
        return anonymous()
                .header("Authorization", "Bearer " + key)
                .get("/v1/admin/overview")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private void post(String key, int count) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            events.addObject()
                    .put("specversion", "1.0")
                    .put("id", "overview-" + i)
                    .put("source", "/overview-test/" + run)
                    .put("type", "overview.test")
                    .putObject("data")
                    .put("n", i);
        }
        anonymous()
                .header("Authorization", "Bearer " + key)
                .contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }
}
