package io.sluice.ingest;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.OutgoingMessageMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes accepted events to the events topic. The returned {@link Uni} completes, with
 * the record's partition and offset, only when Kafka has acknowledged the record with the
 * channel's {@code acks=all}, and fails when it did not within {@code delivery.timeout.ms}:
 * callers tell a client "accepted" only on completion, never on a fire-and-forget send.
 */
@ApplicationScoped
public class EventPublisher {

    /** Record header carrying the tenant, taken from the caller's credentials. */
    public static final String TENANT_HEADER = "sluice-tenant";

    /** Record header carrying the instant Sluice accepted the event (ISO-8601). */
    public static final String ACCEPTED_AT_HEADER = "sluice-accepted-at";

    private final MutinyEmitter<byte[]> events;

    EventPublisher(@Channel("events") MutinyEmitter<byte[]> events) {
        this.events = events;
    }

    public Uni<RecordMetadata> publish(String tenant, String key, byte[] event, Instant acceptedAt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TENANT_HEADER, tenant.getBytes(StandardCharsets.UTF_8));
        headers.add(ACCEPTED_AT_HEADER, acceptedAt.toString().getBytes(StandardCharsets.UTF_8));
        return send(key, event, headers);
    }

    /**
     * Publishes a record as it was, headers included (a redrive from the dead-letter queue):
     * the sink treats it like any other, and dedup keeps it from being stored twice.
     */
    public Uni<RecordMetadata> republish(String key, byte[] value, Headers headers) {
        return send(key, value, headers);
    }

    private Uni<RecordMetadata> send(String key, byte[] value, Headers headers) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withHeaders(headers)
                .build();
        // The connector fills this in with the broker's answer before it acknowledges the message.
        OutgoingMessageMetadata<RecordMetadata> written = new OutgoingMessageMetadata<>();
        return events.sendMessage(Message.of(value).addMetadata(metadata).addMetadata(written))
                .map(ignored -> written.getResult());
    }
}
