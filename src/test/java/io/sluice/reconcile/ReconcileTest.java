package io.sluice.reconcile;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.TestCredentials;
import io.sluice.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * "Did we lose anything?" answered from the tables: after a run with re-posts and events the
 * database refuses, accepted = stored + deduplicated + dead-lettered with 0 drift; rows
 * deleted behind Sluice's back show as exactly that much drift (API and metric) until a replay
 * restores them; and dead letters, once their cause is fixed, are redriven and stored once.
 */
@QuarkusTest
class ReconcileTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SINK = Duration.ofSeconds(90);

    @TestHTTPResource("/")
    URI app;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "reconcile-" + run;
    private final String source = "/reconcile-test/" + run;

    @Test
    void acceptedEqualsStoredPlusDeduplicatedPlusDeadLetteredAndDeletedRowsShowAsDrift() throws Exception {
        String key = TestCredentials.createKey(app, tenant, "ingest", "admin", "subscribe");
        simulateARecreatedTopic();
        String constraint = "reconcile_refuse_" + run;
        Instant from = Instant.now();
        try (Connection db = TestDatabase.connect()) {
            // The database refuses this tenant's "refused-" events, as a constraint added later would.
            db.createStatement()
                    .execute("ALTER TABLE events ADD CONSTRAINT " + constraint + " CHECK (tenant <> '" + tenant
                            + "' OR event_id NOT LIKE 'refused-%') NOT VALID");
            try {
                post(key, events("good-", 0, 30));
                post(key, events("refused-", 0, 3));
                post(key, events("good-", 0, 5)); // re-posts of five ids
                ArrayNode twice = events("twice-", 0, 1);
                twice.add(twice.get(0).deepCopy());
                post(key, twice); // one id twice in one request

                await().atMost(SINK).until(() -> rows() == 31 && deadLetters() == 3 && dedupHits() == 6);
                // The ledger counts what Kafka acknowledged from the topic, a moment after the sink;
                // every client here waited for its answer, so all 40 were answered too.
                await().atMost(SINK)
                        .until(() -> reconcile(key, from).getLong("total.accepted") == 40
                                && reconcile(key, from).getLong("total.answered") == 40);
                JsonPath settled = reconcile(key, from);
                assertCounts(settled, 40, 31, 6, 3);
                assertThat(settled.getLong("total.drift")).isZero();

                JsonPath dlq = as(key).get("/v1/admin/dlq")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath();
                assertThat(dlq.getList("entries")).hasSize(3);
                assertThat(dlq.getList("entries.eventId"))
                        .containsExactlyInAnyOrder("refused-0", "refused-1", "refused-2");
                assertThat(dlq.getList("entries.attempts", Integer.class)).containsOnly(5);
                assertThat(dlq.getList("entries.reason", String.class))
                        .allSatisfy(reason -> assertThat(reason).contains("23514"));
                long firstId = dlq.getLong("entries[0].id");
                JsonPath inspected = as(key).get("/v1/admin/dlq/" + firstId)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath();
                assertThat(inspected.getString("value.source")).isEqualTo(source);
                assertThat(inspected.getList("headers.name")).contains("sluice-tenant", "sluice-accepted-at");

                JsonPath lookedUp = lookup(key, "refused-0");
                assertThat(lookedUp.getString("status")).isEqualTo("dead-lettered");
                assertThat(lookedUp.getList("deadLetters")).hasSize(1);
                assertThat(lookup(key, "good-1").getList("dedupHits")).hasSize(1);
                assertThat(lookup(key, "good-10").getList("dedupHits")).isEmpty();

                deleteRows(4);
                assertThat(reconcile(key, from).getLong("total.drift"))
                        .as("rows deleted behind Sluice's back")
                        .isEqualTo(4);
                // The metric covers minutes that have ended: up to a minute's wait.
                await().atMost(Duration.ofSeconds(100)).until(() -> driftMetric() == 4);

                assertThat(replay(key, from).getLong("restored")).isEqualTo(4);
                assertThat(reconcile(key, from).getLong("total.drift")).isZero();
                assertThat(replay(key, from).getLong("restored"))
                        .as("a second replay")
                        .isZero();
                JsonPath afterReplays = reconcile(key, from);
                assertCounts(afterReplays, 40, 31, 6, 3);
                await().atMost(Duration.ofSeconds(30)).until(() -> driftMetric() == 0);
            } finally {
                db.createStatement().execute("ALTER TABLE events DROP CONSTRAINT IF EXISTS " + constraint);
                db.createStatement().execute("DELETE FROM dead_letters WHERE tenant = 'earlier-" + run + "'");
                db.createStatement().execute("DELETE FROM dedup_hits WHERE tenant = 'earlier-" + run + "'");
            }
        }

        // The cause is fixed: redrive every dead letter; each is stored, once.
        JsonPath redriven = as(key).contentType("application/json")
                .body("{\"all\": true}")
                .post("/v1/admin/dlq/redrive")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(redriven.getInt("redriven")).isEqualTo(3);
        await().atMost(SINK).until(() -> rows() == 34);
        assertThat(perIdMaximum()).as("rows per event id").isEqualTo(1);
        JsonPath fixed = reconcile(key, from);
        assertCounts(fixed, 40, 34, 6, 0);
        assertThat(fixed.getLong("total.redriven")).isEqualTo(3);
        assertThat(fixed.getLong("total.drift")).isZero();
        assertThat(lookup(key, "refused-0").getString("status")).isEqualTo("stored");

        // Nothing is dead any more; redriving an entry again is refused, and a redrive of the
        // same records anyway (an operator resetting the marks) stores nothing twice.
        assertThat(as(key).get("/v1/admin/dlq").then().extract().jsonPath().getList("entries"))
                .isEmpty();
        assertThat(as(key).get("/v1/admin/dlq?status=redriven")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("entries"))
                .hasSize(3);
        assertThat(redriven.getList("failed")).isEmpty();
        as(key).contentType("application/json")
                .post("/v1/admin/dlq/0/redrive")
                .then()
                .statusCode(404);
        long entry = as(key).get("/v1/admin/dlq?status=redriven")
                .then()
                .extract()
                .jsonPath()
                .getLong("entries[0].id");
        as(key).contentType("application/json")
                .post("/v1/admin/dlq/" + entry + "/redrive")
                .then()
                .statusCode(409);
        try (Connection db = TestDatabase.connect()) {
            db.createStatement()
                    .executeUpdate("UPDATE dead_letters SET redriven_at = NULL WHERE tenant = '" + tenant + "'");
        }
        assertThat(as(key).contentType("application/json")
                        .body("{\"reason\": \"23514\"}")
                        .post("/v1/admin/dlq/redrive")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<Integer>path("redriven"))
                .isEqualTo(3);
        await().atMost(SINK).until(() -> dedupHits() == 9);
        assertThat(rows()).isEqualTo(34);
        assertThat(perIdMaximum()).isEqualTo(1);
    }

    @Test
    void anotherTenantsDeadLettersAreNotThereAndBadRequestsAreRefused() {
        String key = TestCredentials.createKey(app, tenant, "admin");
        String other = TestCredentials.createKey(app, "reconcile-other-" + run, "admin");
        as(other).get("/v1/admin/dlq/1").then().statusCode(404);
        assertThat(as(other)
                        .get("/v1/admin/dlq?status=all")
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("entries"))
                .isEmpty();
        as(key).get("/v1/admin/dlq?status=gone").then().statusCode(400);
        for (String query : List.of("limit=0", "limit=4294967297", "limit=ten", "after=x", "after=-1")) {
            for (String path : List.of("/v1/admin/dlq?", "/v1/admin/audit?")) {
                as(key).get(path + query).then().statusCode(400).contentType("application/problem+json");
            }
        }
        for (String body : List.of("{}", "{\"ids\": []}", "{\"ids\": [\"x\"]}", "{\"all\": 1}", "{\"every\": true}")) {
            as(key).contentType("application/json")
                    .body(body)
                    .post("/v1/admin/dlq/redrive")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json");
        }
        as(key).contentType("application/json")
                .body("[")
                .post("/v1/admin/dlq/redrive")
                .then()
                .statusCode(400);
        as(key).get("/v1/admin/reconcile?from=yesterday").then().statusCode(400);
        as(key).get("/v1/admin/reconcile?from=2026-12-01T10:00:00Z&to=2026-12-01T09:00:00Z")
                .then()
                .statusCode(400);
        as(key).get("/v1/admin/reconcile?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z")
                .then()
                .statusCode(400);
        as(TestCredentials.createKey(app, tenant, "ingest"))
                .get("/v1/admin/reconcile")
                .then()
                .statusCode(403);
        as(TestCredentials.createKey(app, tenant, "ingest"))
                .get("/v1/admin/dlq")
                .then()
                .statusCode(403);
    }

    /**
     * Entries left by an earlier incarnation of the events topic (deleted and created again,
     * so its offsets start over) at the very offsets this test's records are about to take:
     * a record is not its offset, and none of this test's entries may be taken for them.
     */
    private void simulateARecreatedTopic() throws Exception {
        String bootstrap = LocalStackResource.sharedConfig().get("kafka.bootstrap.servers");
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < 6; partition++) {
            latest.put(new TopicPartition("sluice.events", partition), OffsetSpec.latest());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                Connection db = TestDatabase.connect();
                var deadLetter = db.prepareStatement(
                        "INSERT INTO dead_letters (origin_topic, origin_partition,"
                                + " origin_offset, tenant, reason, attempts, headers, value)"
                                + " VALUES ('sluice.events', ?, ?, ?, 'an earlier topic', 1, '[]', '') ON CONFLICT DO NOTHING");
                var hit = db.prepareStatement(
                        "INSERT INTO dedup_hits (kafka_partition, kafka_offset, tenant, source,"
                                + " event_id, accepted_at) VALUES (?, ?, ?, 'earlier', 'earlier', now()) ON CONFLICT DO NOTHING")) {
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            for (var end : ends.entrySet()) {
                for (long offset = end.getValue().offset();
                        offset < end.getValue().offset() + 60;
                        offset++) {
                    for (var statement : List.of(deadLetter, hit)) {
                        statement.setInt(1, end.getKey().partition());
                        statement.setLong(2, offset);
                        statement.setString(3, "earlier-" + run);
                        statement.addBatch();
                    }
                }
            }
            deadLetter.executeBatch();
            hit.executeBatch();
        }
    }

    private static void assertCounts(JsonPath answer, long accepted, long stored, long deduplicated, long dead) {
        assertThat(answer.getLong("total.accepted")).as("accepted").isEqualTo(accepted);
        assertThat(answer.getLong("total.stored")).as("stored").isEqualTo(stored);
        assertThat(answer.getLong("total.deduplicated")).as("deduplicated").isEqualTo(deduplicated);
        assertThat(answer.getLong("total.deadLettered")).as("dead-lettered").isEqualTo(dead);
    }

    private ArrayNode events(String prefix, int first, int count) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = first; i < first + count; i++) {
            ObjectNode event = events.addObject()
                    .put("specversion", "1.0")
                    .put("id", prefix + i)
                    .put("source", source)
                    .put("type", "reconcile.test")
                    .put("subject", "subject-" + (i % 4));
            event.putObject("data").put("n", i);
        }
        return events;
    }

    private void post(String key, ArrayNode events) {
        as(key).contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    private JsonPath reconcile(String key, Instant from) {
        return as(key).get("/v1/admin/reconcile?from=" + from + "&to="
                        + Instant.now().plusSeconds(60))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private JsonPath lookup(String key, String id) {
        return as(key).queryParam("source", source)
                .queryParam("id", id)
                .get("/v1/events/lookup")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** Replays from {@code from} to now and waits for the end; its final progress. */
    private JsonPath replay(String key, Instant from) {
        String id = as(key).contentType("application/json")
                .body("{\"from\":\"" + from.minusSeconds(1) + "\",\"to\":\""
                        + Instant.now().plusSeconds(1) + "\"}")
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
        return as(key).get("/v1/admin/replay/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private long driftMetric() {
        String metrics =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher drift = Pattern.compile(
                        "(?m)^sluice_reconcile_drift\\{[^}]*tenant=\"" + Pattern.quote(tenant) + "\"[^}]*} ([0-9.]+)$")
                .matcher(metrics);
        return drift.find() ? (long) Double.parseDouble(drift.group(1)) : -1;
    }

    private long rows() throws Exception {
        return TestDatabase.count("SELECT count(*) FROM events WHERE tenant = ? AND source = ?", tenant, source);
    }

    private long perIdMaximum() throws Exception {
        return TestDatabase.count(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM events WHERE tenant = ? GROUP BY source, event_id) c",
                tenant);
    }

    private long deadLetters() throws Exception {
        return TestDatabase.count("SELECT count(*) FROM dead_letters WHERE tenant = ?", tenant);
    }

    private long dedupHits() throws Exception {
        return TestDatabase.count("SELECT count(*) FROM dedup_hits WHERE tenant = ?", tenant);
    }

    /** Deletes {@code count} of the tenant's rows directly, as a careless DBA would. */
    private void deleteRows(int count) throws Exception {
        try (Connection db = TestDatabase.connect();
                var statement = db.prepareStatement("DELETE FROM events WHERE tenant = ? AND event_id IN"
                        + " (SELECT event_id FROM events WHERE tenant = ? AND event_id LIKE 'good-%' ORDER BY event_id"
                        + " LIMIT ?)")) {
            statement.setString(1, tenant);
            statement.setString(2, tenant);
            statement.setInt(3, count);
            assertThat(statement.executeUpdate()).isEqualTo(count);
        }
    }

    private static RequestSpecification as(String key) {
        return anonymous().header("Authorization", "Bearer " + key);
    }
}
