package io.sluice.alerts;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.SseClient;
import io.sluice.testing.TestCredentials;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each rule kind, end to end on the real stack: events posted over HTTP, stored by the sink,
 * evaluated in its transaction, relayed through Kafka and streamed over SSE. Every test has an
 * event type of its own, so only its own events can match its rules.
 */
@QuarkusTest
class AlertsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RAISED = Duration.ofSeconds(30);

    @TestHTTPResource("/v1/alerts/stream")
    URI stream;

    private final String type = "alert-test-" + UUID.randomUUID();
    /**
     * Event times are this plus a few seconds: recent, because rate windows forget hits more
     * than a day older than their window (RuleTimer), and a fixed date would make a rate rule's
     * outcome depend on whether the sink stored a subject's events in one transaction or two.
     */
    private final Instant t0 = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);

    @Test
    void aThresholdRuleFiresOnBreachingEventsOnlyIsSuppressedWhileFiringAndResolves() throws Exception {
        String rule = createRule("{\"name\":\"hot\",\"kind\":\"threshold\",\"severity\":\"critical\",\"type\":\"" + type
                + "\",\"pointer\":\"/temperature\",\"op\":\">\",\"value\":80}");

        post(List.of(
                event("s1", 0, 70),
                event("s1", 1, 85),
                event("s1", 2, 90),
                event("s1", 3, 60),
                event("s1", 4, 95),
                event("s2", 5, 81),
                event("s3", 6, 80),
                otherType(event("s4", 7, 99))));

        await().atMost(RAISED).until(() -> alerts(rule).size() >= 4);
        Thread.sleep(1_000);
        List<String> s1 =
                alerts(rule).stream().filter(alert -> alert.startsWith("s1 ")).toList();
        assertThat(s1).hasSize(3);
        assertThat(s1.get(0)).startsWith("s1 firing ");
        assertThat(s1.get(1)).isEqualTo(s1.get(0).replace("firing", "resolved"));
        assertThat(s1.get(2)).startsWith("s1 firing ").isNotEqualTo(s1.get(0));
        assertThat(alerts(rule))
                .hasSize(4)
                .anySatisfy(alert -> assertThat(alert).startsWith("s2 firing "));
    }

    @Test
    void aRateRuleFiresWhenMoreThanNEventsOfOneSubjectFallInTheWindow() throws Exception {
        String rule = createRule(
                "{\"name\":\"burst\",\"kind\":\"rate\",\"type\":\"" + type + "\",\"count\":3,\"window\":\"PT10S\"}");

        post(List.of(
                event("r1", 0, 1),
                event("r1", 1, 1),
                event("r1", 2, 1),
                event("r1", 3, 1), // the 4th within 10 s: fires
                event("r1", 4, 1), // still firing: suppressed
                event("r1", 30, 1), // alone in its window: resolves
                event("r2", 0, 1),
                event("r2", 20, 1),
                event("r2", 40, 1),
                event("r2", 60, 1)));

        await().atMost(RAISED).until(() -> alerts(rule).size() >= 2);
        Thread.sleep(1_000);
        List<String> raised = alerts(rule);
        assertThat(raised).hasSize(2);
        assertThat(raised.get(0)).startsWith("r1 firing ");
        assertThat(raised.get(1)).isEqualTo(raised.get(0).replace("firing", "resolved"));
    }

    @Test
    void anAbsenceRuleFiresOnceWhenASubjectGoesSilentAndResolvesWhenItSpeaks() throws Exception {
        String rule =
                createRule("{\"name\":\"quiet\",\"kind\":\"absence\",\"type\":\"" + type + "\",\"silence\":\"PT2S\"}");

        post(List.of(event("silent", 0, 1), event("chatty", 0, 1)));
        // chatty speaks every 0.4 s throughout; silent said one thing and nothing more
        long start = System.nanoTime();
        List<String> afterFiveSeconds = null;
        int n = 1;
        while (System.nanoTime() - start < Duration.ofSeconds(8).toNanos()) {
            post(List.of(event("chatty", n++, 1)));
            Thread.sleep(400);
            if (afterFiveSeconds == null
                    && System.nanoTime() - start > Duration.ofSeconds(5).toNanos()) {
                afterFiveSeconds = alerts(rule);
            }
        }
        assertThat(afterFiveSeconds)
                .hasSize(1)
                .allSatisfy(alert -> assertThat(alert).startsWith("silent firing "));
        // three more seconds of checks found silent still silent: no second alert
        assertThat(alerts(rule)).isEqualTo(afterFiveSeconds);

        post(List.of(event("silent", n, 1)));
        await().atMost(RAISED).until(() -> alerts(rule).size() >= 2);
        List<String> raised = alerts(rule);
        assertThat(raised).hasSize(2);
        assertThat(raised.get(1)).isEqualTo(raised.get(0).replace("firing", "resolved"));
    }

    @Test
    void replayingTheSameEventsRaisesNothingNew() throws Exception {
        String rule = createRule("{\"name\":\"replay\",\"kind\":\"threshold\",\"type\":\"" + type
                + "\",\"pointer\":\"/temperature\",\"op\":\">=\",\"value\":50}");
        List<ObjectNode> events = List.of(event("p1", 0, 50), event("p1", 1, 10), event("p2", 2, 70));

        post(events);
        await().atMost(RAISED).until(() -> alerts(rule).size() >= 3);
        List<String> first = alerts(rule);

        post(events);
        post(events);
        Thread.sleep(3_000);
        assertThat(alerts(rule)).isEqualTo(first).hasSize(3);
    }

    /**
     * Compression must not hold an alert back until a buffer fills: each event is flushed
     * through the compressor as it is written.
     */
    @Test
    void aGzippedStreamDeliversEachAlertWhenItIsRaised() throws Exception {
        String rule = createRule("{\"name\":\"gzip\",\"kind\":\"threshold\",\"type\":\"" + type
                + "\",\"pointer\":\"/temperature\",\"op\":\">\",\"value\":0}");
        URI mine = URI.create(stream + "?rule=" + rule);

        try (SseClient client = new SseClient(mine, null, TestCredentials.defaultKey(mine), true)) {
            Thread.sleep(500);
            for (int i = 0; i < 3; i++) {
                post(List.of(event("gz-" + i, i, 1)));
                List<SseClient.Event> got = client.take(1, RAISED);
                assertThat(got).as("alert " + i).hasSize(1);
                assertThat(JSON.readTree(got.get(0).data()).path("subject").asText())
                        .isEqualTo("gz-" + i);
            }
        }
    }

    @Test
    void aStreamResumedWithLastEventIdGetsExactlyTheAlertsItMissedInOrder() throws Exception {
        String rule = createRule("{\"name\":\"resume\",\"kind\":\"threshold\",\"type\":\"" + type
                + "\",\"pointer\":\"/temperature\",\"op\":\">\",\"value\":0}");
        URI mine = URI.create(stream + "?rule=" + rule);

        String lastSeen;
        try (SseClient client = new SseClient(mine, null)) {
            Thread.sleep(500);
            post(List.of(event("first", 0, 1)));
            List<SseClient.Event> got = client.take(1, RAISED);
            assertThat(got).hasSize(1);
            assertThat(got.get(0).name()).isEqualTo("firing");
            assertThat(JSON.readTree(got.get(0).data()).path("subject").asText())
                    .isEqualTo("first");
            lastSeen = got.get(0).id();
            assertThat(client.retry()).isEqualTo("2000");
            // the greeting comment, then heartbeats on the quiet stream (every 1 s in tests)
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(
                            () -> assertThat(client.comments()).as("heartbeats").isGreaterThanOrEqualTo(3));
        }

        List<ObjectNode> missed = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            missed.add(event("missed-" + i, i + 1, 1));
        }
        post(missed);
        await().atMost(RAISED).until(() -> alerts(rule).size() >= 101);

        try (SseClient client = new SseClient(mine, lastSeen)) {
            List<SseClient.Event> got = client.take(100, RAISED);
            assertThat(got).hasSize(100);
            List<String> subjects = new ArrayList<>();
            long previous = Long.parseLong(lastSeen);
            for (SseClient.Event event : got) {
                long id = Long.parseLong(event.id());
                assertThat(id).isGreaterThan(previous);
                previous = id;
                JsonNode alert = JSON.readTree(event.data());
                assertThat(alert.path("id").asLong()).isEqualTo(id);
                subjects.add(alert.path("subject").asText());
            }
            assertThat(subjects)
                    .containsExactlyInAnyOrderElementsOf(
                            missed.stream().map(e -> e.get("subject").asText()).toList());
            assertThat(client.drain(Duration.ofSeconds(2))).isEmpty();

            // The history serves the same alerts under the same ids.
            ArrayNode history = (ArrayNode) JSON.readTree(given().queryParam("after", lastSeen)
                    .queryParam("limit", 1000)
                    .get("/v1/alerts")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString());
            List<String> historyIds = new ArrayList<>();
            history.forEach(alert -> {
                if (alert.path("rule").path("id").asText().equals(rule)) {
                    historyIds.add(alert.path("id").asText());
                }
            });
            assertThat(historyIds)
                    .isEqualTo(got.stream().map(SseClient.Event::id).toList());
        }
    }

    private final List<String> rules = new ArrayList<>();

    /** The rules stay out of later tests' way: every sink batch of the tenant reads them. */
    /**
     * Revoking a key ends the streams it opened, with a final event that says why: a key given
     * to someone who left must not keep their dashboard receiving alerts.
     */
    @Test
    void aRevokedKeysOpenStreamEndsWithARevokedEvent() throws Exception {
        String key = TestCredentials.createKey(stream, TestCredentials.DEFAULT_TENANT, "subscribe");
        String id = key.substring("slk_".length(), key.indexOf('_', "slk_".length()));

        try (SseClient client = new SseClient(stream, null, key)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.comments() >= 1);
            assertThat(client.ended()).as("open before the revocation").isFalse();

            anonymous()
                    .header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP)
                    .delete("/v1/admin/keys/" + id)
                    .then()
                    .statusCode(204);

            // Revoked on this replica: the next tick (every 500 ms) ends it.
            List<SseClient.Event> last = client.take(1, Duration.ofSeconds(5));
            assertThat(last).extracting(SseClient.Event::name).containsExactly("revoked");
            await().atMost(Duration.ofSeconds(5)).until(client::ended);
        }
    }

    @AfterEach
    void deleteRules() {
        rules.forEach(rule -> given().delete("/v1/rules/" + rule).then().statusCode(204));
    }

    private String createRule(String body) {
        String id = given().contentType("application/json")
                .body(body)
                .post("/v1/rules")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        rules.add(id);
        return id;
    }

    private ObjectNode event(String subject, int second, double temperature) {
        ObjectNode event = JSON.createObjectNode()
                .put("specversion", "1.0")
                .put("id", UUID.randomUUID().toString())
                .put("source", "/alerts-test")
                .put("type", type)
                .put("subject", subject)
                .put("time", t0.plusSeconds(second).toString());
        event.putObject("data").put("temperature", temperature);
        return event;
    }

    private static ObjectNode otherType(ObjectNode event) {
        return event.put("type", "another-type");
    }

    private static void post(List<ObjectNode> events) {
        given().contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    /** The rule's alerts as "subject status alert-id", in stream order, straight from the table. */
    private static List<String> alerts(String rule) throws Exception {
        URI url = URI.create(LocalStackResource.sharedConfig().get("quarkus.datasource.reactive.url"));
        try (Connection db = DriverManager.getConnection("jdbc:" + url, "postgres", "");
                var query = db.prepareStatement(
                        "SELECT subject, status, alert_id FROM alerts WHERE rule_id = ? ORDER BY seq")) {
            query.setString(1, rule);
            List<String> alerts = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    alerts.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getString(3));
                }
            }
            return alerts;
        }
    }
}
