package io.sluice.security;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.SseClient;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two tenants on one Sluice: whatever A sends — a body that names B, B's ids in paths, B's
 * stream positions — A never writes, reads, changes or streams anything of B's.
 */
@QuarkusTest
class TenantIsolationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI app;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenantA = "tenant-a-" + run;
    private final String tenantB = "tenant-b-" + run;

    @Test
    void eventsAreStoredUnderTheCallersTenantWhateverTheBodySays() throws Exception {
        String source = "/isolation/" + run;
        as(key(tenantA))
                .contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"" + source + "\",\"type\":\"t\",\"tenant\":\""
                        + tenantB + "\",\"data\":{}}")
                .post("/v1/events")
                .then()
                .statusCode(202);
        // Generous: a sink that finds claims of a dead consumer on its partition waits out their lease first.
        await().atMost(Duration.ofSeconds(90)).until(() -> !tenantsOf(source).isEmpty());
        assertThat(tenantsOf(source)).containsExactly(tenantA);

        // Where is my event: A finds it, B (even an admin of B) does not.
        as(key(tenantA))
                .queryParam("source", source)
                .queryParam("id", "1")
                .get("/v1/events/lookup")
                .then()
                .statusCode(200)
                .body("offset", notNullValue());
        as(key(tenantB))
                .queryParam("source", source)
                .queryParam("id", "1")
                .get("/v1/events/lookup")
                .then()
                .statusCode(404);
    }

    @Test
    void anotherTenantsRulesAndKeysAreNotFoundAndCannotBeMade() {
        String keyA = key(tenantA);
        String keyB = key(tenantB);
        String rule = as(keyB).contentType("application/json")
                .body("{\"name\":\"b-only\",\"kind\":\"threshold\",\"pointer\":\"/v\",\"op\":\">\",\"value\":0}")
                .post("/v1/rules")
                .then()
                .statusCode(201)
                .extract()
                .<String>path("id");
        as(keyA).get("/v1/rules/" + rule).then().statusCode(404);
        as(keyA).contentType("application/json")
                .body("{\"name\":\"taken\",\"kind\":\"threshold\",\"pointer\":\"/v\",\"op\":\">\",\"value\":0}")
                .put("/v1/rules/" + rule)
                .then()
                .statusCode(404);
        as(keyA).delete("/v1/rules/" + rule).then().statusCode(404);
        assertThat(as(keyA).get("/v1/rules").then().statusCode(200).extract().<List<String>>path("id"))
                .doesNotContain(rule);
        as(keyB).get("/v1/rules/" + rule).then().statusCode(200);

        String idOfB = keyB.substring(4, keyB.indexOf('_', 4));
        as(keyA).delete("/v1/admin/keys/" + idOfB).then().statusCode(404);
        as(keyB).get("/v1/rules").then().statusCode(200);
        as(keyA).contentType("application/json")
                .body("{\"tenant\":\"" + tenantB + "\",\"scopes\":[\"ingest\"]}")
                .post("/v1/admin/keys")
                .then()
                .statusCode(403);
        assertThat(as(keyA).get("/v1/admin/keys")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("tenant"))
                .containsOnly(tenantA);
        assertThat(as(keyA).get("/v1/admin/audit?limit=1000")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("tenant"))
                .containsOnly(tenantA);
        assertThat(as(keyB).get("/v1/admin/audit?limit=1000").then().extract().<List<String>>path("action"))
                .contains("key.created", "rule.created");
    }

    @Test
    void whileBReceivesAThousandAlertsAReceivesNone() throws Exception {
        String keyA = key(tenantA);
        String keyB = key(tenantB);
        String type = "isolation-" + run;
        String rule = as(keyB).contentType("application/json")
                .body("{\"name\":\"every\",\"kind\":\"threshold\",\"type\":\"" + type
                        + "\",\"pointer\":\"/v\",\"op\":\">\",\"value\":0}")
                .post("/v1/rules")
                .then()
                .statusCode(201)
                .extract()
                .<String>path("id");
        URI stream = app.resolve("/v1/alerts/stream");
        try (SseClient b = new SseClient(stream, null, keyB);
                SseClient a = new SseClient(stream, null, keyA);
                SseClient aWithRuleOfB = new SseClient(URI.create(stream + "?rule=" + rule), null, keyA);
                SseClient aResumingLikeB = new SseClient(stream, "1", keyA)) {
            Thread.sleep(500);
            for (int from = 0; from < 1_000; from += 250) {
                post(keyB, type, from, 250);
            }
            List<SseClient.Event> got = b.take(1_000, Duration.ofSeconds(120));
            assertThat(got).hasSize(1_000);
            assertThat(got.stream().map(SseClient.Event::data))
                    .allSatisfy(data -> assertThat(data).contains(rule));
            String lastOfB = got.get(got.size() - 1).id();
            try (SseClient aResumingAtB = new SseClient(stream, lastOfB, keyA)) {
                assertThat(aResumingAtB.drain(Duration.ofSeconds(1))).isEmpty();
            }
            assertThat(a.drain(Duration.ofSeconds(1))).isEmpty();
            assertThat(aWithRuleOfB.drain(Duration.ofMillis(200))).isEmpty();
            assertThat(aResumingLikeB.drain(Duration.ofMillis(200))).isEmpty();
        }
        assertThat(as(keyA).get("/v1/alerts?after=0&limit=1000")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<Object>>path("$"))
                .isEmpty();
        assertThat(as(keyB).get("/v1/alerts?after=0&limit=1000")
                        .then()
                        .extract()
                        .<List<Object>>path("$"))
                .hasSize(1_000);
        as(keyB).delete("/v1/rules/" + rule).then().statusCode(204);
    }

    private void post(String key, String type, int from, int count) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = from; i < from + count; i++) {
            ObjectNode event = events.addObject()
                    .put("specversion", "1.0")
                    .put("id", "alert-" + i)
                    .put("source", "/isolation/" + run)
                    .put("type", type)
                    .put("subject", "subject-" + i);
            event.putObject("data").put("v", 1);
        }
        as(key).contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    private String key(String tenant) {
        return TestCredentials.createKey(app, tenant, "ingest", "subscribe", "admin");
    }

    private static RequestSpecification as(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }

    private static List<String> tenantsOf(String source) throws Exception {
        try (Connection db = TestDatabase.connect();
                var query = db.prepareStatement("SELECT tenant FROM events WHERE source = ?")) {
            query.setString(1, source);
            try (ResultSet result = query.executeQuery()) {
                List<String> tenants = new ArrayList<>();
                while (result.next()) {
                    tenants.add(result.getString(1));
                }
                return tenants;
            }
        }
    }
}
