package io.sluice.sink;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes the events topic in batches. The connector acknowledges a batch only when the
 * returned {@link Uni} completes, that is once every record is in PostgreSQL or in the
 * dead-letter topic, and commits offsets only up to acknowledged records (auto-commit off,
 * throttled commit strategy). Batches are processed one at a time, in order.
 */
@ApplicationScoped
public class EventSink {

    private final SinkService sink;

    EventSink(SinkService sink) {
        this.sink = sink;
    }

    @Incoming("events-sink")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        return sink.store(records);
    }
}
