package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.record.DeadLetterHeaders;
import io.sluice.record.EventHeaders;
import io.sluice.testing.LocalStackResource;
import io.sluice.testing.SinkTopicsResource;
import io.sluice.testing.TopicProbe;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Poison and a database outage: nothing lost, nothing stalled, nothing committed too early. */
@QuarkusTest
@TestProfile(SinkTest.OwnTopics.class)
class SinkFailureTest {

    private static final String BOOTSTRAP = LocalStackResource.sharedConfig().get("kafka.bootstrap.servers");

    private final SinkFixture fixture = new SinkFixture();

    @Test
    void hundredPoisonRecordsAmongTenThousandGoToTheDeadLetterTopicAndTheRestIsStored() throws Exception {
        List<ObjectNode> events = fixture.events(10_000);
        try (TopicProbe deadLetters = new TopicProbe(BOOTSTRAP, SinkTopicsResource.deadLetterTopic);
                KafkaProducer<String, byte[]> producer = producer()) {
            Map<TopicPartition, Long> mark = deadLetters.mark();
            long started = System.nanoTime();
            for (int i = 0; i < events.size(); i++) {
                producer.send(good(events.get(i)));
                if (i % 100 == 50) {
                    producer.send(poison(i / 100));
                }
            }
            producer.flush();

            fixture.awaitRows(10_000, Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters.countSince(mark) >= 100);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(fixture.rows()).isEqualTo(10_000);
            List<ConsumerRecord<String, byte[]>> dead = deadLetters.readSince(mark);
            assertThat(dead).hasSize(100);
            assertThat(dead).allSatisfy(record -> {
                assertThat(header(record, DeadLetterHeaders.REASON)).isNotBlank();
                assertThat(header(record, DeadLetterHeaders.ORIGIN)).startsWith(SinkTopicsResource.eventsTopic);
            });
            // Poison is dead-lettered on sight, never retried: it cannot hold a partition up.
            assertThat(took).isLessThan(Duration.ofSeconds(120));
        }
    }

    /**
     * A row PostgreSQL refuses (here a CHECK constraint added for one id, SQL state 23514; in
     * life a constraint or trigger added later) is retried alone, then dead-lettered with the
     * database's reason; the rest of its batch is stored.
     */
    @Test
    void aRowTheDatabaseRefusesIsDeadLetteredAfterItsAttemptsAndItsBatchIsStored() throws Exception {
        List<ObjectNode> events = fixture.events(100);
        String refusedId = "refused-" + fixture.source.substring(fixture.source.lastIndexOf('/') + 1);
        events.get(40).put("id", refusedId);
        String constraint = "refuse_" + refusedId.replace('-', '_');
        try (Connection db = SinkFixture.database();
                TopicProbe deadLetters = new TopicProbe(BOOTSTRAP, SinkTopicsResource.deadLetterTopic)) {
            db.createStatement()
                    .execute("ALTER TABLE events ADD CONSTRAINT " + constraint + " CHECK (event_id <> '" + refusedId
                            + "') NOT VALID");
            try {
                Map<TopicPartition, Long> mark = deadLetters.mark();
                SinkFixture.post(events);

                fixture.awaitRows(99, Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters.countSince(mark) >= 1);

                List<ConsumerRecord<String, byte[]>> dead = deadLetters.readSince(mark);
                assertThat(dead).hasSize(1);
                ConsumerRecord<String, byte[]> record = dead.get(0);
                assertThat(new String(record.value(), StandardCharsets.UTF_8)).contains(refusedId);
                assertThat(header(record, DeadLetterHeaders.REASON))
                        .startsWith("the database refused the event")
                        .contains("23514");
                assertThat(header(record, DeadLetterHeaders.ATTEMPTS)).isEqualTo("5");
                Thread.sleep(1_000);
                assertThat(fixture.rows()).isEqualTo(99);
            } finally {
                db.createStatement().execute("ALTER TABLE events DROP CONSTRAINT " + constraint);
            }
        }
    }

    @Test
    void whileTheDatabaseIsAwayNothingIsCommittedAndAfterwardsEverythingIsStored() throws Exception {
        List<ObjectNode> events = fixture.events(200);
        SinkFixture.post(events.subList(0, 50));
        fixture.awaitRows(50, Duration.ofSeconds(60));
        Thread.sleep(2_000); // let the throttled commit of those 50 happen

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            SinkTopicsResource.postgres.cut();
            Map<TopicPartition, Long> committedBefore;
            try {
                committedBefore = committed(admin);
                SinkFixture.post(events.subList(50, 200));
                Thread.sleep(5_000); // five commit intervals

                assertThat(committed(admin))
                        .as("offsets committed while nothing could be stored")
                        .isEqualTo(committedBefore);
            } finally {
                SinkTopicsResource.postgres.restore();
            }
            fixture.awaitRows(200, Duration.ofSeconds(60));
            assertThat(fixture.rows()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(committed(admin)).isNotEqualTo(committedBefore));
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                        SinkTopicsResource.consumerGroup)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> plain = new java.util.HashMap<>();
        offsets.forEach((partition, offset) -> plain.put(partition, offset.offset()));
        return plain;
    }

    private static ProducerRecord<String, byte[]> good(ObjectNode event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                SinkTopicsResource.eventsTopic,
                event.get("subject").textValue(),
                event.toString().getBytes(StandardCharsets.UTF_8));
        record.headers().add(EventHeaders.TENANT, utf8("default"));
        record.headers().add(EventHeaders.ACCEPTED_AT, utf8(Instant.now().toString()));
        return record;
    }

    /** Four kinds of poison, in turn: not JSON, JSON but no event, no tenant, no value at all. */
    private static ProducerRecord<String, byte[]> poison(int n) {
        byte[] value = switch (n % 4) {
            case 0 -> utf8("not json at all {");
            case 1 -> utf8("{\"hello\":\"world\"}");
            case 2 -> utf8("{\"specversion\":\"1.0\",\"id\":\"p\",\"source\":\"/p\",\"type\":\"t\"}");
            default -> null;
        };
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(SinkTopicsResource.eventsTopic, "poison-" + n, value);
        if (n % 4 != 2) {
            record.headers().add(EventHeaders.TENANT, utf8("default"));
        }
        record.headers().add(EventHeaders.ACCEPTED_AT, utf8(Instant.now().toString()));
        return record;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        BOOTSTRAP,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
