package io.sluice.ingest;

import static io.sluice.testing.Http.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.sluice.testing.LocalStack;
import io.sluice.testing.OwnBackendsProfile;
import io.sluice.testing.ReplicatedKafkaResource;
import io.sluice.testing.ShortKafkaTimeouts;
import io.sluice.testing.TopicProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A batch whose events land on a partition that lost its only replica and on one that is
 * fine gets 207: a result per event, 202 with an offset for the stored ones, 503 for the
 * others, and exactly the 202 ones on the topic.
 */
@QuarkusTest
@TestProfile(MixedOutcomeTest.TwoSingleReplicaPartitions.class)
class MixedOutcomeTest {

    /** Partition 0 lives on broker 1 only, partition 1 on broker 2 only. */
    static final String TOPIC = "ingest-mixed-outcome";

    @BeforeAll
    static void createTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.shared(3).bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1), 1, List.of(2)))
                            .configs(Map.of("min.insync.replicas", "1"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    @Test
    void batchWithAnOfflinePartitionAnswers207WithAResultPerEvent() throws Exception {
        LocalStack cluster = LocalStack.shared(3);
        List<ObjectNode> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // Alternating partitions 0 and 1, by the producer's own key hashing.
            events.add(IngestResourceTest.event(subjectFor(i % 2, i)));
        }
        try (TopicProbe topic = new TopicProbe(cluster.bootstrapServers(), TOPIC)) {
            Map<TopicPartition, Long> mark = topic.mark();
            cluster.kill(1);
            JsonPath answer;
            try {
                answer = given().contentType("application/cloudevents-batch+json")
                        .body(events.toString())
                        .post("/v1/events")
                        .then()
                        .statusCode(207)
                        .header("Retry-After", "2")
                        .extract()
                        .jsonPath();
            } finally {
                cluster.start(1);
            }

            assertThat(answer.getInt("accepted")).isEqualTo(3);
            for (int i = 0; i < 6; i++) {
                String result = "results[" + i + "]";
                assertThat(answer.getString(result + ".id"))
                        .isEqualTo(events.get(i).get("id").textValue());
                assertThat(answer.getInt(result + ".status")).isEqualTo(i % 2 == 0 ? 503 : 202);
                if (i % 2 == 0) {
                    assertThat(answer.getString(result + ".offset")).isNull();
                    assertThat(answer.getString(result + ".detail")).isNotBlank();
                } else {
                    assertThat(answer.getInt(result + ".partition")).isEqualTo(1);
                    assertThat(answer.getLong(result + ".offset")).isNotNegative();
                }
            }
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(topic.countSince(mark)).isEqualTo(3));
            assertThat(topic.readSince(mark)).extracting(r -> r.partition()).containsOnly(1);
        }
    }

    /** A subject whose key the default partitioner sends to {@code partition} of two. */
    private static String subjectFor(int partition, int seed) {
        for (int n = seed * 1000; ; n++) {
            String subject = "mixed-" + n;
            byte[] key = subject.getBytes(StandardCharsets.UTF_8);
            if (Utils.toPositive(Utils.murmur2(key)) % 2 == partition) {
                return subject;
            }
        }
    }

    private static Map<String, String> withOwnTopic() {
        Map<String, String> config = new HashMap<>(ShortKafkaTimeouts.config());
        config.put("sluice.topics.events", TOPIC);
        return config;
    }

    public static class TwoSingleReplicaPartitions extends OwnBackendsProfile {
        public TwoSingleReplicaPartitions() {
            super(ReplicatedKafkaResource.class, withOwnTopic());
        }
    }
}
