package io.sluice.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.record.EventHeaders;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.TestDatabase;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ledger counts every record of the topic exactly once, per tenant and minute: while
 * ledgers join and leave the group (each rebalance hands partitions over mid-stream), and when
 * another replica moved a position under it (its batch is refused, nothing is counted twice).
 */
@QuarkusTest
class AckLedgerTest {

    private static final Duration COUNTED = Duration.ofSeconds(60);
    private static final Instant MINUTE = Instant.parse("2026-01-01T10:00:00Z");

    @Inject
    Pool pool;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "ledger-" + run;
    private final List<AckLedger> ledgers = new ArrayList<>();
    private final String bootstrap = LocalStackResource.sharedConfig().get("kafka.bootstrap.servers");

    @AfterEach
    void stopLedgers() throws InterruptedException {
        for (AckLedger ledger : ledgers) {
            ledger.stop();
        }
    }

    @Test
    void ledgersJoiningAndLeavingCountEveryRecordOnce() throws Exception {
        String topic = topic(6);
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, topic, 0, 1_500);
            AckLedger first = ledger(topic);
            send(producer, topic, 1_500, 1_500);
            AckLedger second = ledger(topic);
            send(producer, topic, 3_000, 1_500);
            first.stop();
            ledger(topic);
            send(producer, topic, 4_500, 1_500);
            second.stop();
            // Read, never counted: a redrive (counted when first acknowledged), poison without a tenant.
            for (int i = 0; i < 10; i++) {
                RecordHeaders redrive = headers(tenant, MINUTE);
                redrive.add(EventHeaders.REDRIVE_OF, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(topic, null, "k" + i, "{}", redrive));
                producer.send(new ProducerRecord<>(topic, null, "k" + i, "{}", headers(null, MINUTE)));
            }
            producer.flush();
        }

        await().atMost(COUNTED).until(() -> positions(topic) == 6 + 6_020);
        assertThat(counts()).as("per minute: 6,000 records over three minutes").containsExactly(2_000L, 2_000L, 2_000L);
    }

    @Test
    void aPositionMovedByAnotherReplicaIsNotCountedAgain() throws Exception {
        String topic = topic(1);
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, topic, 0, 100);
            ledger(topic);
            await().atMost(COUNTED).until(() -> positions(topic) == 101);
            // Another replica took the partition, counted up to offset 151 and saved that.
            try (Connection db = TestDatabase.connect();
                    var move = db.prepareStatement(
                            "UPDATE ledger_positions SET next_offset = 151 WHERE topic = ? AND kafka_partition = 0")) {
                move.setString(1, topic);
                assertThat(move.executeUpdate()).isEqualTo(1);
            }
            send(producer, topic, 100, 100);
        }

        await().atMost(COUNTED).until(() -> positions(topic) == 201);
        assertThat(counts().stream().mapToLong(Long::longValue).sum())
                .as("offsets 1-100 and 151-200 by this ledger; 101-150 were the other replica's")
                .isEqualTo(150);
    }

    private AckLedger ledger(String topic) {
        AckLedger ledger = new AckLedger(pool, topic, "ledger-test-" + run, kafka);
        ledgers.add(ledger);
        ledger.start();
        return ledger;
    }

    /** Events {@code first} to {@code first + count - 1}, spread over three minutes of acceptance. */
    private void send(KafkaProducer<String, String> producer, String topic, int first, int count) {
        for (int i = first; i < first + count; i++) {
            Instant acceptedAt = MINUTE.plusSeconds(60L * (i % 3) + i % 60);
            producer.send(new ProducerRecord<>(topic, null, "subject-" + i, "{}", headers(tenant, acceptedAt)));
        }
        producer.flush();
    }

    private static RecordHeaders headers(String tenant, Instant acceptedAt) {
        RecordHeaders headers = new RecordHeaders();
        if (tenant != null) {
            headers.add(EventHeaders.TENANT, tenant.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(EventHeaders.ACCEPTED_AT, acceptedAt.toString().getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /**
     * A new topic whose partitions each took one record (a redrive: read, never counted), sent
     * one at a time: a new partition may refuse the first batches while its leader starts, and
     * an idempotent producer with several batches in flight can then wedge on the sequence.
     */
    private String topic(int partitions) throws Exception {
        String topic = "ledger-test-" + run + "-" + partitions;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                KafkaProducer<String, String> producer = producer()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            for (int partition = 0; partition < partitions; partition++) {
                RecordHeaders redrive = headers(tenant, MINUTE);
                redrive.add(EventHeaders.REDRIVE_OF, "0".getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(topic, partition, "warm-up", "{}", redrive))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        return topic;
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5),
                new StringSerializer(),
                new StringSerializer());
    }

    private long positions(String topic) throws Exception {
        return TestDatabase.count("SELECT coalesce(sum(next_offset), 0) FROM ledger_positions WHERE topic = ?", topic);
    }

    private List<Long> counts() throws Exception {
        List<Long> counts = new ArrayList<>();
        try (Connection db = TestDatabase.connect();
                var query = db.prepareStatement(
                        "SELECT acknowledged FROM acknowledged_counts WHERE tenant = ? ORDER BY minute")) {
            query.setString(1, tenant);
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    counts.add(rows.getLong(1));
                }
            }
        }
        return counts;
    }
}
