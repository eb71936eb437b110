package io.sluice.quota;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.SseClient;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Each per-tenant quota refuses what would exceed it, naming the quota, and writes nothing; the
 * other tenants go on meanwhile. Quotas are set per tenant by the platform operator (the
 * bootstrap key), never by the tenant itself.
 */
@QuarkusTest
class QuotasTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI app;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "quota-a-" + run;
    private final String other = "quota-b-" + run;

    @Test
    void aTenantAtItsRuleQuotaIsRefusedWhileAnotherTenantsEventsAreStored() throws Exception {
        setQuotas(tenant, "{\"rules\":3}");
        String admin = TestCredentials.createKey(app, tenant, "ingest", "admin");
        for (int i = 0; i < 3; i++) {
            as(admin)
                    .contentType("application/json")
                    .body(rule(i))
                    .post("/v1/rules")
                    .then()
                    .statusCode(201);
        }
        Response refused =
                as(admin).contentType("application/json").body(rule(3)).post("/v1/rules");
        assertRefused(refused, 422, "rules", 3);
        assertThat(TestDatabase.count("SELECT count(*) FROM rules WHERE tenant = ?", tenant))
                .as("nothing of the refused rule is written")
                .isEqualTo(3);

        String ingestOfOther = TestCredentials.createKey(app, other, "ingest");
        post(admin, 50);
        post(ingestOfOther, 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> rows(other) == 200 && rows(tenant) == 50);
        assertThat(rows(other)).isEqualTo(200);
        assertThat(rows(tenant)).isEqualTo(50);
    }

    @Test
    void keysBeyondTheQuotaAreRefusedUntilOneIsRevoked() throws Exception {
        setQuotas(tenant, "{\"keys\":2}");
        String admin = TestCredentials.createKey(app, tenant, "admin");
        String second = TestCredentials.createKey(app, tenant, "ingest");
        String body = "{\"tenant\":\"" + tenant + "\",\"scopes\":[\"ingest\"]}";
        Response refused = as(admin).contentType("application/json").body(body).post("/v1/admin/keys");
        assertRefused(refused, 422, "keys", 2);
        assertThat(TestDatabase.count("SELECT count(*) FROM api_keys WHERE tenant = ?", tenant))
                .isEqualTo(2);
        // Another tenant's keys are its own business.
        TestCredentials.createKey(app, other, "ingest");
        TestCredentials.createKey(app, other, "ingest");
        TestCredentials.createKey(app, other, "ingest");

        String secondId = second.substring("slk_".length()).split("_")[0];
        as(admin).delete("/v1/admin/keys/" + secondId).then().statusCode(204);
        as(admin)
                .contentType("application/json")
                .body(body)
                .post("/v1/admin/keys")
                .then()
                .statusCode(201);
    }

    @Test
    void aTenantsStreamsAreCappedWhicheverOfItsKeysTheyUse() throws Exception {
        setQuotas(tenant, "{\"streams\":2}");
        URI stream = app.resolve("/v1/alerts/stream");
        List<SseClient> open = new ArrayList<>();
        try {
            open.add(new SseClient(stream, null, TestCredentials.createKey(app, tenant, "subscribe")));
            open.add(new SseClient(stream, null, TestCredentials.createKey(app, tenant, "subscribe")));
            Response refused = as(TestCredentials.createKey(app, tenant, "subscribe"))
                    .header("Accept", "text/event-stream")
                    .get("/v1/alerts/stream");
            assertRefused(refused, 429, "streams", 2);
            assertThat(refused.header("Retry-After")).isNotNull();
            open.add(new SseClient(stream, null, TestCredentials.createKey(app, other, "subscribe")));
            open.add(new SseClient(stream, null, TestCredentials.createKey(app, other, "subscribe")));
            open.add(new SseClient(stream, null, TestCredentials.createKey(app, other, "subscribe")));
        } finally {
            for (SseClient client : open) {
                client.close();
            }
        }
    }

    @Test
    void theRequestRateCountsAllOfATenantsKeysTogether() throws Exception {
        int limit = 4;
        setQuotas(tenant, "{\"requests\":" + limit + "}");
        String first = TestCredentials.createKey(app, tenant, "subscribe");
        String second = TestCredentials.createKey(app, tenant, "subscribe");
        String ofOther = TestCredentials.createKey(app, other, "subscribe");
        // All the requests must fall into one window (sluice.security.rate-limit.window, 1 s in
        // the tests): start early in one; a retry of the whole if a slow machine crossed it.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long intoWindow = System.currentTimeMillis() % 1_000;
            Thread.sleep(1_000 - intoWindow + 20);
            long window = System.currentTimeMillis() / 1_000;
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < limit; i++) {
                statuses.add(as(i % 2 == 0 ? first : second).get("/v1/alerts").statusCode());
            }
            Response refused = as(second).get("/v1/alerts");
            int otherStatus = as(ofOther).get("/v1/alerts").statusCode();
            if (System.currentTimeMillis() / 1_000 != window) {
                return false;
            }
            assertThat(statuses).containsOnly(200);
            assertRefused(refused, 429, "requests", limit);
            assertThat(otherStatus).as("another tenant's rate is its own").isEqualTo(200);
            return true;
        });
    }

    @Test
    void onlyThePlatformOperatorSetsQuotasAndATenantSeesItsOwn() {
        String admin = TestCredentials.createKey(app, tenant, "admin");
        as(admin)
                .contentType("application/json")
                .body("{\"rules\":100000}")
                .put("/v1/admin/quotas/" + tenant)
                .then()
                .statusCode(403);
        as(admin).get("/v1/admin/quotas/" + other).then().statusCode(403);
        setQuotas(tenant, "{\"rules\":7,\"replayRange\":\"PT2H\"}");
        Response own = as(admin).get("/v1/admin/quotas");
        own.then().statusCode(200);
        assertThat(own.jsonPath().getInt("rules")).isEqualTo(7);
        assertThat(own.jsonPath().getString("replayRange")).isEqualTo("PT2H");
        assertThat(own.jsonPath().getList("overridden")).containsExactly("rules", "replayRange");
        Response bad = bootstrap()
                .contentType("application/json")
                .body("{\"rules\":-1,\"replayRange\":\"soon\",\"extra\":1}")
                .put("/v1/admin/quotas/" + tenant);
        bad.then().statusCode(400);
        assertThat(bad.jsonPath().getList("errors.pointer"))
                .containsExactlyInAnyOrder("/rules", "/replayRange", "/extra");
        assertThat(as(admin).get("/v1/admin/quotas").jsonPath().getInt("rules"))
                .as("a refused change changes nothing")
                .isEqualTo(7);
        setQuotas(tenant, "{}");
        assertThat(as(admin).get("/v1/admin/quotas").jsonPath().getList("overridden"))
                .isEmpty();
    }

    /** Sets {@code tenant}'s quotas as the platform operator; this replica applies them at once. */
    static void setQuotas(String tenant, String body) {
        bootstrap()
                .contentType("application/json")
                .body(body)
                .put("/v1/admin/quotas/" + tenant)
                .then()
                .statusCode(200);
    }

    static void assertRefused(Response refused, int status, String quota, int limit) {
        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(status);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.jsonPath().getString("quota")).isEqualTo(quota);
        assertThat(refused.jsonPath().getInt("limit")).isEqualTo(limit);
    }

    private static String rule(int i) {
        return "{\"name\":\"hot-" + i + "\",\"kind\":\"threshold\",\"severity\":\"critical\",\"type\":\"quota-test\","
                + "\"pointer\":\"/temperature\",\"op\":\">\",\"value\":80}";
    }

    private void post(String key, int count) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            events.addObject()
                    .put("specversion", "1.0")
                    .put("id", "quota-" + i)
                    .put("source", "/quota-test/" + run)
                    .put("type", "quota-test")
                    .putObject("data")
                    .put("temperature", 70 + i % 20);
        }
        as(key).contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    private long rows(String owner) throws Exception {
        return TestDatabase.count("SELECT count(*) FROM events WHERE tenant = ?", owner);
    }

    private static RequestSpecification bootstrap() {
        return as(TestCredentials.BOOTSTRAP);
    }

    private static RequestSpecification as(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }
}
