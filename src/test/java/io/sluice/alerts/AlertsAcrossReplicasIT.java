package io.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.PackagedReplica;
import io.sluice.testing.SseClient;
import io.sluice.testing.TestCredentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two packaged Sluice replicas on one stack. Replica B ingests and stores the events, so its
 * sink raises the alerts; replica A consumes another (empty) events topic, so whatever its
 * SSE clients get came through {@code sluice.alerts}. Then a client resumes on B where it
 * left A, and on A again once B is gone.
 */
class AlertsAcrossReplicasIT {

    private static final Map<String, String> STACK = LocalStackResource.sharedConfig();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String type = "replicas-it-" + run;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<PackagedReplica> replicas = new ArrayList<>();

    @AfterEach
    void stopReplicas() throws InterruptedException {
        for (PackagedReplica replica : replicas) {
            replica.close();
        }
    }

    @Test
    void aClientOnOneReplicaGetsAlertsRaisedOnAnotherAndResumesOnAnyReplica() throws Exception {
        String alertsTopic = "replicas-it-" + run + ".alerts";
        createTopics(List.of("replicas-it-" + run + ".a-events", "replicas-it-" + run + ".b-events", alertsTopic));
        PackagedReplica replicaA = start("a", alertsTopic);
        PackagedReplica replicaB = start("b", alertsTopic);
        URI a = replicaA.awaitReady(WAIT).uri();
        URI b = replicaB.awaitReady(WAIT).uri();

        String rule = JSON.readTree(send(
                        HttpRequest.newBuilder(b.resolve("/v1/rules"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"name\":\"replicas\",\"kind\":\"threshold\"," + "\"type\":\"" + type
                                                + "\",\"pointer\":\"/v\",\"op\":\">\",\"value\":0}")),
                        201))
                .path("id")
                .asText();

        List<SseClient.Event> seenOnA;
        try (SseClient onA = new SseClient(a.resolve("/v1/alerts/stream?rule=" + rule), null)) {
            Thread.sleep(1_000);
            postEvents(b, 0, 20);
            seenOnA = onA.take(20, WAIT);
            assertThat(seenOnA).hasSize(20);
        }
        assertThat(subjects(seenOnA)).containsExactlyInAnyOrderElementsOf(expectedSubjects(0, 20));

        // More alerts while nobody listens; resume on B after the tenth alert seen on A.
        postEvents(b, 20, 10);
        String tenth = seenOnA.get(9).id();
        List<SseClient.Event> resumedOnB;
        try (SseClient onB = new SseClient(b.resolve("/v1/alerts/stream?rule=" + rule), tenth)) {
            resumedOnB = onB.take(20, WAIT);
            assertThat(onB.drain(Duration.ofSeconds(2))).isEmpty();
        }
        List<String> expected = new ArrayList<>(subjects(seenOnA.subList(10, 20)));
        expected.addAll(expectedSubjects(20, 10));
        assertThat(subjects(resumedOnB)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ids(resumedOnB).subList(0, 10)).isEqualTo(ids(seenOnA).subList(10, 20));

        // B is gone; A serves the same history with the same ids.
        replicaB.kill();
        try (SseClient onA = new SseClient(a.resolve("/v1/alerts/stream?rule=" + rule), tenth)) {
            assertThat(ids(onA.take(20, WAIT))).isEqualTo(ids(resumedOnB));
        }
    }

    private PackagedReplica start(String name, String alertsTopic) throws Exception {
        PackagedReplica replica = PackagedReplica.start(
                "replicas-it-" + run + "-" + name,
                List.of(
                        "-Dsluice.topics.events=replicas-it-" + run + "." + name + "-events",
                        "-Dsluice.topics.dead-letter=replicas-it-" + run + "." + name + "-events.dlq",
                        "-Dsluice.topics.alerts=" + alertsTopic,
                        "-Dmp.messaging.incoming.events-sink.group.id=replicas-it-" + run + "-" + name));
        replicas.add(replica);
        return replica;
    }

    private void postEvents(URI replica, int from, int count) throws Exception {
        ArrayNode events = JSON.createArrayNode();
        for (int i = from; i < from + count; i++) {
            ObjectNode event = events.addObject()
                    .put("specversion", "1.0")
                    .put("id", run + "-" + i)
                    .put("source", "/replicas-it")
                    .put("type", type)
                    .put("subject", "subject-" + i);
            event.putObject("data").put("v", 1);
        }
        send(
                HttpRequest.newBuilder(replica.resolve("/v1/events"))
                        .header("Content-Type", "application/cloudevents-batch+json")
                        .POST(HttpRequest.BodyPublishers.ofString(events.toString())),
                202);
    }

    /** Sends with the default test key of the replica asked (both share one database, so either's key works on both). */
    private String send(HttpRequest.Builder request, int expectedStatus) throws Exception {
        HttpRequest built = request.build();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(built, (name, value) -> true)
                        .header("Authorization", "Bearer " + TestCredentials.defaultKey(built.uri()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return response.body();
    }

    private static List<String> subjects(List<SseClient.Event> events) throws IOException {
        List<String> subjects = new ArrayList<>();
        for (SseClient.Event event : events) {
            subjects.add(JSON.readTree(event.data()).path("subject").asText());
        }
        return subjects;
    }

    private static List<String> ids(List<SseClient.Event> events) {
        return events.stream().map(SseClient.Event::id).toList();
    }

    private static List<String> expectedSubjects(int from, int count) {
        List<String> subjects = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            subjects.add("subject-" + i);
        }
        return subjects;
    }

    private static void createTopics(List<String> names) throws Exception {
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.get("kafka.bootstrap.servers")))) {
            admin.createTopics(names.stream()
                            .map(name -> new NewTopic(name, 3, (short) 1)
                                    // the size-limit chain checked at start-up
                                    .configs(Map.of("max.message.bytes", "2097152")))
                            .toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
