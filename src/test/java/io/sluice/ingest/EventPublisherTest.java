package io.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.config.SluiceConfig;
import io.sluice.record.EventHeaders;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EventPublisherTest {

    @Inject
    EventPublisher publisher;

    @Inject
    SluiceConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void publishedEventIsReadBackFromTheBrokerWithKeyAndHeaders() throws Exception {
        String key = "sensor-" + UUID.randomUUID();
        byte[] event = ("{\"id\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
        Instant acceptedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer
                    .partitionsFor(config.topics().events())
                    .stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);

            // Settled only once the broker acknowledged the record, with where it put it.
            CompletableFuture<RecordMetadata> settled = new CompletableFuture<>();
            PreparedEvent prepared = new PreparedEvent(0, "/test", "1", key, event);
            publisher.publish("tenant-a", acceptedAt, List.of(prepared), (index, written, failure) -> {
                if (failure != null) {
                    settled.completeExceptionally(failure);
                } else {
                    settled.complete(written);
                }
            });
            RecordMetadata written = settled.get(30, TimeUnit.SECONDS);

            ConsumerRecord<String, byte[]> record = pollFor(consumer, key);
            assertThat(record.partition()).isEqualTo(written.partition());
            assertThat(record.offset()).isEqualTo(written.offset());
            assertThat(record.value()).isEqualTo(event);
            assertThat(header(record, EventHeaders.TENANT)).isEqualTo("tenant-a");
            assertThat(header(record, EventHeaders.ACCEPTED_AT)).isEqualTo(acceptedAt.toString());
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    private static ConsumerRecord<String, byte[]> pollFor(KafkaConsumer<String, byte[]> consumer, String key) {
        List<ConsumerRecord<String, byte[]>> matching = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(30);
        while (matching.isEmpty() && Instant.now().isBefore(deadline)) {
            consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                if (key.equals(r.key())) {
                    matching.add(r);
                }
            });
        }
        assertThat(matching).as("records with key %s", key).hasSize(1);
        return matching.get(0);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
