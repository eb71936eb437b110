package io.sluice.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes records into Kafka the way a retrying client does: whatever was not acknowledged is sent
 * again, by a new producer. A test that seeds a topic and then waits for every record must not
 * lose one silently: an idempotent producer can spend its whole delivery timeout retrying a batch
 * the broker keeps refusing as out of order (KAFKA-14359: an earlier attempt timed out under load
 * while a later batch got in), and a plain {@code send} without a look at the outcome turns that
 * into records that never arrive and a test that waits for them for ever.
 *
 * <p>A record sent again may be written twice: use this only where duplicates are part of what is
 * tested (the sink's dedup), never where a test counts records.
 */
public final class RetryingSender {

    private static final int ROUNDS = 5;

    private RetryingSender() {}

    /** Sends every record until acknowledged; fails after {@value #ROUNDS} rounds with some left. */
    public static void sendAll(String bootstrapServers, List<ProducerRecord<String, byte[]>> records) {
        List<ProducerRecord<String, byte[]>> pending = records;
        for (int round = 1; !pending.isEmpty(); round++) {
            if (round > ROUNDS) {
                throw new IllegalStateException(pending.size() + " records still unacknowledged after " + ROUNDS
                        + " rounds of sends to " + bootstrapServers);
            }
            pending = sendOnce(bootstrapServers, pending);
        }
    }

    /** One producer's attempt at all of them; returns those it could not deliver. */
    private static List<ProducerRecord<String, byte[]>> sendOnce(
            String bootstrapServers, List<ProducerRecord<String, byte[]>> records) {
        List<Future<RecordMetadata>> outcomes = new ArrayList<>(records.size());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        // Give up on a stuck batch within a minute, and send it again from a fresh
                        // producer (new producer id, sequences from zero).
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        60_000),
                new StringSerializer(),
                new ByteArraySerializer())) {
            records.forEach(record -> outcomes.add(producer.send(record)));
            producer.flush();
        }
        List<ProducerRecord<String, byte[]>> failed = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            try {
                outcomes.get(i).get();
            } catch (ExecutionException e) {
                failed.add(records.get(i));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending", e);
            }
        }
        if (!failed.isEmpty()) {
            System.out.printf("%d of %d records not acknowledged, sending them again%n", failed.size(), records.size());
        }
        return failed;
    }
}
