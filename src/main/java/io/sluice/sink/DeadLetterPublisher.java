package io.sluice.sink;

import io.sluice.record.DeadLetterHeaders;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Moves records that cannot be stored to the dead-letter topic, unchanged (key, value and
 * headers), with why, how often it was tried and where it came from in extra headers
 * ({@link DeadLetterHeaders}). The
 * returned {@link Uni} completes once Kafka acknowledged every one: only then may the sink
 * commit past them.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    private final MutinyEmitter<byte[]> deadLetters;

    DeadLetterPublisher(@Channel("dead-letter") MutinyEmitter<byte[]> deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** A record to dead-letter and why. */
    record Entry(ConsumerRecord<String, byte[]> record, String reason, int attempts) {}

    Uni<Void> publish(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            sends.add(deadLetters.sendMessage(message(entry)));
        }
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    private static Message<byte[]> message(Entry entry) {
        ConsumerRecord<String, byte[]> record = entry.record();
        RecordHeaders headers = DeadLetterHeaders.of(record, entry.reason(), entry.attempts(), Instant.now());
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key())
                .withHeaders(headers)
                .build();
        // A record without a value (a tombstone) is dead-lettered with an empty one.
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return Message.of(value).addMetadata(metadata);
    }
}
