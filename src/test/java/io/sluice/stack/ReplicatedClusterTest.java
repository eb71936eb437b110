package io.sluice.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.testing.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the three-node stack is a real replicated cluster: a SIGKILLed partition leader is
 * replaced, acks=all writes keep succeeding on the survivors, the restarted broker rejoins
 * the ISR, and with two brokers gone min.insync.replicas=2 refuses to acknowledge.
 */
class ReplicatedClusterTest {

    private static final Duration FAILOVER = Duration.ofSeconds(60);
    private static LocalStack cluster;

    private final String topic = "stack-failover-" + UUID.randomUUID();

    @BeforeAll
    static void startCluster() {
        cluster = LocalStack.shared(3);
    }

    @Test
    void killedLeaderIsReplacedAndRejoinsTheIsrAfterRestart() throws Exception {
        try (Admin admin = admin()) {
            createReplicatedTopic(admin);
            int leader = partition(admin).leader().id();
            try (KafkaProducer<String, String> producer = producer(Duration.ofSeconds(60))) {
                send(producer, 0, 100);

                cluster.kill(leader);

                // Acknowledged by all remaining in-sync replicas (2 = min.insync.replicas).
                send(producer, 100, 200);
            }
            TopicPartitionInfo afterKill = partition(admin);
            assertThat(afterKill.leader().id()).isNotEqualTo(leader);
            assertThat(ids(afterKill.isr())).doesNotContain(leader).hasSize(2);
            assertThat(readAll()).containsExactlyElementsOf(values(0, 200));

            cluster.start(leader);

            await().atMost(FAILOVER)
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(ids(partition(admin).isr())).containsExactlyInAnyOrder(1, 2, 3));
        }
    }

    @Test
    void withTwoBrokersDownNoWriteIsAcknowledged() throws Exception {
        try (Admin admin = admin()) {
            createReplicatedTopic(admin);
            TopicPartitionInfo before = partition(admin);
            int leader = before.leader().id();
            int follower = ids(before.replicas()).stream()
                    .filter(id -> id != leader)
                    .findFirst()
                    .orElseThrow();
            try (KafkaProducer<String, String> producer = producer(Duration.ofSeconds(10))) {
                send(producer, 0, 10);
                cluster.kill(follower);
                cluster.kill(leader);
                try {
                    assertThatThrownBy(() -> producer.send(record(10)).get(30, TimeUnit.SECONDS))
                            .as("a write with one replica left must not be acknowledged")
                            .isInstanceOf(ExecutionException.class);
                } finally {
                    cluster.start(follower);
                    cluster.start(leader);
                }
            }
            await().atMost(FAILOVER)
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(ids(partition(admin).isr())).containsExactlyInAnyOrder(1, 2, 3));
            assertThat(readAll()).containsExactlyElementsOf(values(0, 10));
        }
    }

    private void createReplicatedTopic(Admin admin) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3)
                        .configs(Map.of(
                                "min.insync.replicas", "2",
                                "unclean.leader.election.enable", "false"))))
                .all()
                .get(30, TimeUnit.SECONDS);
        await().atMost(FAILOVER)
                .untilAsserted(() -> assertThat(partition(admin).isr()).hasSize(3));
    }

    private TopicPartitionInfo partition(Admin admin) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .get(topic);
        return description.partitions().get(0);
    }

    private void send(KafkaProducer<String, String> producer, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            producer.send(record(i)).get(60, TimeUnit.SECONDS);
        }
    }

    private ProducerRecord<String, String> record(int i) {
        return new ProducerRecord<>(topic, "key", "value-" + i);
    }

    private List<String> readAll() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + FAILOVER.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }

    private KafkaProducer<String, String> producer(Duration deliveryTimeout) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(deliveryTimeout.toMillis(), 5_000));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000));
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "value-" + i).toList();
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }
}
