package io.sluice.pitfalls;

import static io.sluice.testing.Http.anonymous;
import static io.sluice.testing.Http.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.sluice.testing.LocalStack;
import io.sluice.testing.OwnBackendsProfile;
import io.sluice.testing.ReplicatedKafkaResource;
import io.sluice.testing.TestCredentials;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * On a three-broker cluster, an events topic created with replication factor 1 and
 * min.insync.replicas 1, and a producer set to acks=1 without idempotence: the pitfall report
 * names each as a failure with why, and in strict mode readiness stays DOWN while liveness
 * stays UP.
 */
@QuarkusTest
@TestProfile(PitfallGuardStrictTest.Careless.class)
class PitfallGuardStrictTest {

    @Test
    void theReportFlagsEachCarelessSettingAndStrictModeKeepsReadinessDown() {
        JsonPath report = anonymous()
                .header("Authorization", "Bearer " + TestCredentials.BOOTSTRAP)
                .get("/v1/admin/pitfalls")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(report.getString("status")).isEqualTo("fail");
        assertThat(report.getBoolean("strict")).isTrue();
        String topic = CarelessTopic.topic;
        assertThat(status(report, "producer events: acks")).isEqualTo("fail");
        assertThat(found(report, "producer events: acks")).isEqualTo("1");
        assertThat(status(report, "producer events: enable.idempotence")).isEqualTo("fail");
        assertThat(status(report, "topic " + topic + ": replication factor")).isEqualTo("fail");
        assertThat(found(report, "topic " + topic + ": replication factor")).isEqualTo("1 (3 brokers)");
        assertThat(status(report, "topic " + topic + ": min.insync.replicas")).isEqualTo("fail");
        assertThat(status(report, "topic " + topic + ": unclean.leader.election.enable"))
                .isEqualTo("pass");
        // What was set up with care passes beside it.
        assertThat(status(report, "producer dead-letter: acks")).isEqualTo("pass");
        assertThat(status(report, "consumer events-sink: enable.auto.commit")).isEqualTo("pass");
        assertThat(status(report, "topic sluice.events.dlq: replication factor"))
                .isEqualTo("pass");
        assertThat(status(report, "topic sluice.events.dlq: min.insync.replicas"))
                .isEqualTo("pass");
        assertThat(status(report, "size-limit chain")).isEqualTo("pass");
        assertThat(report.getList("checks.why", String.class))
                .allSatisfy(why -> assertThat(why).isNotBlank());

        // Readiness answers from the guard's report, re-made at most every second here.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonPath ready = management()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(503)
                    .extract()
                    .jsonPath();
            assertThat(ready.getString("checks.find { it.name == 'pitfalls' }.status"))
                    .isEqualTo("DOWN");
            assertThat(ready.getString("checks.find { it.name == 'kafka' }.status"))
                    .isEqualTo("UP");
        });
        management().get("/q/health/live").then().statusCode(200);
    }

    private static String status(JsonPath report, String check) {
        return report.getString("checks.find { it.check == '" + check + "' }.status");
    }

    private static String found(JsonPath report, String check) {
        return report.getString("checks.find { it.check == '" + check + "' }.found");
    }

    public static class Careless extends OwnBackendsProfile {
        public Careless() {
            super(
                    CarelessTopic.class,
                    Map.of(
                            "mp.messaging.outgoing.events.acks", "1",
                            "mp.messaging.outgoing.events.enable.idempotence", "false",
                            "sluice.pitfalls.strict", "true",
                            "sluice.pitfalls.recheck-interval", "1s"));
        }
    }

    /** The three-node cluster with an events topic of its own, created carelessly. */
    public static class CarelessTopic implements QuarkusTestResourceLifecycleManager {

        static String topic;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(new ReplicatedKafkaResource().start());
            String run = UUID.randomUUID().toString().substring(0, 8);
            topic = "pitfall-" + run + ".events";
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    LocalStack.shared(3).bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)
                                .configs(Map.of("min.insync.replicas", "1", "max.message.bytes", "2097152"))))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not create the careless topic", e);
            }
            config.put("sluice.topics.events", topic);
            config.put("mp.messaging.incoming.events-sink.group.id", "pitfall-" + run);
            return config;
        }

        @Override
        public void stop() {}
    }
}
