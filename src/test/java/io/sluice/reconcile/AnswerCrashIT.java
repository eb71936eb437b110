package io.sluice.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.PackagedReplica;
import io.sluice.testing.TestCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Sluice killed between Kafka's acknowledgement and the answer: the client never hears back,
 * re-posts the same events to the restarted replica, and the counts still reconcile to 0 in
 * every minute. The lost answer's events are counted acknowledged once (from the topic, not
 * from the process that died) and the re-post once more; the sink stores each event once and
 * counts the re-post as a dedup hit; "answered" counts only the answers that were made.
 */
class AnswerCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 50;
    private static final Duration COUNTED = Duration.ofSeconds(90);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "answer-crash-" + run;
    private final String topic = "answer-crash-" + run + ".events";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void eventsAcknowledgedBeforeACrashAreCountedOnceAndTheirRepostIsDeduplicated() throws Exception {
        createTopics();
        List<String> settings = List.of(
                "-Dsluice.topics.events=" + topic,
                "-Dsluice.topics.dead-letter=" + topic + ".dlq",
                "-Dmp.messaging.incoming.events-sink.group.id=answer-crash-sink-" + run,
                "-Dsluice.reconcile.ledger-group=answer-crash-ledger-" + run);
        Instant from = Instant.now();
        String key;
        try (PackagedReplica first =
                PackagedReplica.start("answer-crash-it-a", with(settings, "-Dsluice.ingest.fault.halt-after-ack=1"))) {
            URI app = first.awaitReady(Duration.ofSeconds(90)).uri();
            key = TestCredentials.createKey(app, tenant, "ingest", "admin");
            assertThatThrownBy(() -> post(app, key, 0))
                    .as("Kafka acknowledged the events; the process halted before answering")
                    .isInstanceOf(IOException.class);
            assertThat(first.awaitExit(Duration.ofSeconds(30))).isEqualTo(137);
        }
        try (PackagedReplica second = PackagedReplica.start("answer-crash-it-b", settings)) {
            URI app = second.awaitReady(Duration.ofSeconds(90)).uri();
            assertThat(post(app, key, 0))
                    .as("the client's retry of the same events")
                    .isEqualTo(202);
            assertThat(post(app, key, EVENTS)).as("new events").isEqualTo(202);

            // Every count reaches its final value (the minute need not have ended: waiting for it
            // to settle is HangUpReconcileTest's part), and then no minute has drift.
            await().atMost(COUNTED).pollInterval(Duration.ofSeconds(1)).until(() -> {
                JsonNode total = reconcile(app, key, from).get("total");
                return total.get("accepted").asLong() == 3 * EVENTS
                        && total.get("answered").asLong() == 2 * EVENTS
                        && total.get("stored").asLong() == 2 * EVENTS
                        && total.get("deduplicated").asLong() == EVENTS;
            });
            JsonNode counted = reconcile(app, key, from);
            List<Long> drift = new ArrayList<>();
            counted.get("minutes")
                    .forEach(minute -> drift.add(minute.get("drift").asLong()));
            assertThat(drift).as("drift per minute").containsOnly(0L);
            assertThat(counted.get("total").get("drift").asLong()).isZero();
        }
    }

    private int post(URI app, String key, int first) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("[");
        for (int i = first; i < first + EVENTS; i++) {
            body.append(i == first ? "" : ",")
                    .append("{\"specversion\":\"1.0\",\"id\":\"e-")
                    .append(i)
                    .append("\",\"source\":\"/answer-crash\",\"type\":\"crash.test\",\"subject\":\"s-")
                    .append(i % 7)
                    .append("\",\"data\":{\"i\":")
                    .append(i)
                    .append("}}");
        }
        HttpRequest request = HttpRequest.newBuilder(app.resolve("/v1/events"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/cloudevents-batch+json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString()))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode reconcile(URI app, String key, Instant from) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(app.resolve("/v1/admin/reconcile?from=" + from + "&to="
                        + Instant.now().plusSeconds(60)))
                .header("Authorization", "Bearer " + key)
                .build();
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private void createTopics() throws Exception {
        String bootstrap = LocalStackResource.sharedConfig().get("kafka.bootstrap.servers");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1), new NewTopic(topic + ".dlq", 6, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> with(List<String> settings, String more) {
        List<String> all = new ArrayList<>(settings);
        all.add(more);
        return all;
    }
}
