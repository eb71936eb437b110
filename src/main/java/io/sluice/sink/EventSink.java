package io.sluice.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
    private final Timer batches;

    EventSink(SinkService sink, MeterRegistry metrics) {
        this.sink = sink;
        this.batches = Timer.builder("sluice.sink.batch")
                .description("Storing one polled batch: claims, insert, alerts, done marks (retries included)")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    @Incoming("events-sink")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        Timer.Sample sample = Timer.start();
        return sink.store(records).invoke(() -> sample.stop(batches));
    }
}
