package io.sluice.replay;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Rows deleted behind Sluice's back come back with a replay of their time range, exactly
 * once; a second replay restores nothing; a dry run only counts; and a tenant's replay only
 * ever touches that tenant's events.
 */
@QuarkusTest
class ReplayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI app;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String source = "/replay-test/" + run;

    @Test
    void aReplayRestoresWhatWasDeletedOnceAndOnlyTheCallersTenants() throws Exception {
        String tenantA = "replay-a-" + run;
        String tenantB = "replay-b-" + run;
        String keyA = TestCredentials.createKey(app, tenantA, "ingest", "admin");
        String keyB = TestCredentials.createKey(app, tenantB, "ingest", "admin");
        Instant from = Instant.now().minusSeconds(1);
        post(keyA, 20);
        post(keyB, 10);
        await().atMost(Duration.ofSeconds(60)).until(() -> rows(tenantA) == 20 && rows(tenantB) == 10);
        Instant to = Instant.now().plusSeconds(1);
        delete(tenantA, 5);
        delete(tenantB, 3);

        JsonPath ofB = replay(keyB, from, to, false);
        assertThat(ofB.getLong("matched")).isEqualTo(10);
        assertThat(ofB.getLong("restored")).isEqualTo(3);
        assertThat(rows(tenantB)).isEqualTo(10);
        assertThat(rows(tenantA)).as("B's replay leaves A's rows alone").isEqualTo(15);
        as(keyA).get("/v1/admin/replay/" + ofB.getString("id")).then().statusCode(404);
        as(keyA).delete("/v1/admin/replay/" + ofB.getString("id")).then().statusCode(404);

        JsonPath dryRun = replay(keyA, from, to, true);
        assertThat(dryRun.getLong("matched")).isEqualTo(20);
        assertThat(dryRun.getLong("restored")).isZero();
        assertThat(rows(tenantA)).isEqualTo(15);

        JsonPath first = replay(keyA, from, to, false);
        assertThat(first.getLong("restored")).isEqualTo(5);
        assertThat(rows(tenantA)).isEqualTo(20);
        JsonPath second = replay(keyA, from, to, false);
        assertThat(second.getLong("matched")).isEqualTo(20);
        assertThat(second.getLong("restored")).isZero();
        assertThat(rows(tenantA)).isEqualTo(20);

        assertThat(as(keyA).get("/v1/admin/audit?limit=1000").then().extract().<List<String>>path("action"))
                .contains("replay.started");
    }

    @Test
    void aBadReplayRequestIsRefused() {
        String key = TestCredentials.createKey(app, "replay-" + run, "admin");
        as(key).contentType("application/json")
                .body("{\"from\":\"2026-12-01T10:00:00Z\",\"to\":\"2026-12-01T09:00:00Z\",\"extra\":1}")
                .post("/v1/admin/replay")
                .then()
                .statusCode(400);
        as(TestCredentials.createKey(app, "replay-" + run, "ingest", "subscribe"))
                .contentType("application/json")
                .body("{\"from\":\"2026-12-01T09:00:00Z\",\"to\":\"2026-12-01T10:00:00Z\"}")
                .post("/v1/admin/replay")
                .then()
                .statusCode(403);
    }

    /** Starts a replay and waits for it to end; its final progress. */
    private JsonPath replay(String key, Instant from, Instant to, boolean dryRun) {
        String id = as(key).contentType("application/json")
                .body("{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"dryRun\":" + dryRun + "}")
                .post("/v1/admin/replay")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        await().atMost(Duration.ofSeconds(120))
                .until(() -> !"running"
                        .equals(as(key).get("/v1/admin/replay/" + id)
                                .then()
                                .extract()
                                .path("status")));
        JsonPath progress = as(key).get("/v1/admin/replay/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(progress.getString("status")).isEqualTo("done");
        return progress;
    }

    private void post(String key, int count) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            ObjectNode event = events.addObject()
                    .put("specversion", "1.0")
                    .put("id", "replayed-" + i)
                    .put("source", source)
                    .put("type", "replay.test")
                    .put("subject", "subject-" + i);
            event.putObject("data").put("n", i);
        }
        as(key).contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    private long rows(String tenant) throws Exception {
        return TestDatabase.count("SELECT count(*) FROM events WHERE tenant = ? AND source = ?", tenant, source);
    }

    /** Deletes {@code count} of the tenant's rows directly, as a careless DBA would. */
    private void delete(String tenant, int count) throws Exception {
        try (Connection db = TestDatabase.connect();
                var statement = db.prepareStatement("DELETE FROM events WHERE tenant = ? AND source = ? AND event_id IN"
                        + " (SELECT event_id FROM events WHERE tenant = ? AND source = ? ORDER BY event_id LIMIT ?)")) {
            statement.setString(1, tenant);
            statement.setString(2, source);
            statement.setString(3, tenant);
            statement.setString(4, source);
            statement.setInt(5, count);
            assertThat(statement.executeUpdate()).isEqualTo(count);
        }
    }

    private static RequestSpecification as(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }
}
