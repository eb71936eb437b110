package io.sluice.sink;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Moves records that cannot be stored to the dead-letter topic, unchanged (key, value and
 * headers), with why, how often it was tried and where it came from in extra headers. The
 * returned {@link Uni} completes once Kafka acknowledged every one: only then may the sink
 * commit past them.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    /** Every header the dead-lettering adds starts with this; a redrive takes them off again. */
    public static final String HEADER_PREFIX = "sluice-dlq-";

    public static final String REASON_HEADER = "sluice-dlq-reason";
    public static final String ATTEMPTS_HEADER = "sluice-dlq-attempts";
    public static final String ORIGIN_HEADER = "sluice-dlq-origin";
    public static final String DEAD_LETTERED_AT_HEADER = "sluice-dlq-at";

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
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header);
        }
        headers.add(REASON_HEADER, utf8(entry.reason()));
        headers.add(ATTEMPTS_HEADER, utf8(Integer.toString(entry.attempts())));
        headers.add(ORIGIN_HEADER, utf8(record.topic() + "/" + record.partition() + "/" + record.offset()));
        headers.add(DEAD_LETTERED_AT_HEADER, utf8(Instant.now().toString()));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key())
                .withHeaders(headers)
                .build();
        // A record without a value (a tombstone) is dead-lettered with an empty one.
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return Message.of(value).addMetadata(metadata);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
