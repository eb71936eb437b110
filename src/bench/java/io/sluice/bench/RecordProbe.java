package io.sluice.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads back the record Sluice wrote for one event (at the partition and offset its answer
 * named), so the benchmark knows the exact record size instead of guessing it from the request.
 */
final class RecordProbe implements AutoCloseable {

    record Written(int keyBytes, int valueBytes, int headerBytes, List<String> headerNames, String value) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;

    RecordProbe(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-bench-probe");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
    }

    Written read(int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        Instant deadline = Instant.now().plusSeconds(15);
        while (Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() == offset) {
                    int headerBytes = 0;
                    List<String> names = new java.util.ArrayList<>();
                    for (Header h : r.headers()) {
                        headerBytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
                        names.add(h.key());
                    }
                    return new Written(
                            Math.max(0, r.serializedKeySize()),
                            r.serializedValueSize(),
                            headerBytes,
                            names,
                            new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        throw new IllegalStateException("no record at " + topic + "-" + partition + "@" + offset + " within 15 s");
    }

    @Override
    public void close() {
        consumer.close();
    }
}
