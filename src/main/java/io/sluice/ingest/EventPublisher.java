package io.sluice.ingest;

import io.sluice.config.SluiceConfig;
import io.sluice.record.EventHeaders;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes accepted events to the events topic through the {@code events} channel's producer,
 * with the channel's {@code acks=all}, each with the headers of {@link EventHeaders}. Every record gets its own callback, called once with
 * Kafka's acknowledgement or the reason there is none (after {@code delivery.timeout.ms} at the
 * latest): callers tell a client "accepted" only on an acknowledgement, never on a send.
 *
 * <p>The records go to the producer directly, not through the channel's emitter: its
 * per-message pipeline (a message, metadata, context propagation and a retry operator per
 * event) cost more CPU than everything else on the ingest path together
 * (docs/benchmarks.md), and gives nothing a callback per record does not. {@code send()} may
 * block up to {@code max.block.ms} for metadata, which must not happen on an event loop: the
 * request's thread sends only while the producer is warm (see {@link #WARM_NANOS}), else the
 * connector's sending thread does, which costs a hand-off per request.
 */
@Singleton
public class EventPublisher {

    private static final String CHANNEL = "events";
    /**
     * How recent an acknowledgement must be for the caller's thread to send. The producer then
     * knows the topic's partitions (it forgets them after {@code metadata.max.idle.ms}, 5 minutes
     * by default, without sends), so {@code send()} cannot block on metadata; and it does not
     * block on buffer space, which the in-flight budget keeps below {@code buffer.memory}.
     */
    private static final long WARM_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final KafkaClientService clients;
    private final String topic;
    private volatile KafkaProducer<String, byte[]> producer;
    /** When Kafka last acknowledged a record of the events topic (System.nanoTime()). */
    private volatile long lastAcknowledged = System.nanoTime() - WARM_NANOS;

    /**
     * @param channel unused: injecting it is what declares the outgoing channel, so that the
     *     connector builds its producer from the channel's configuration
     */
    EventPublisher(@Channel(CHANNEL) MutinyEmitter<byte[]> channel, KafkaClientService clients, SluiceConfig config) {
        this.clients = clients;
        this.topic = config.topics().events();
    }

    /**
     * What Kafka said about one record: called once per record, on Kafka's network thread, or
     * on the sending thread when the send itself failed.
     */
    @FunctionalInterface
    interface Settled {
        void settled(int index, RecordMetadata written, Exception failure);
    }

    /**
     * Sends one record per event, all with the same tenant and acceptance instant, and tells
     * {@code settled} about each, by the event's index in {@code events}.
     */
    void publish(String tenant, Instant acceptedAt, List<PreparedEvent> events, Settled settled) {
        Header tenantHeader = EventHeaders.tenantHeader(tenant);
        Header acceptedAtHeader = EventHeaders.acceptedAtHeader(acceptedAt);
        Consumer<Producer<String, byte[]>> sendAll = kafka -> {
            for (int i = 0; i < events.size(); i++) {
                PreparedEvent event = events.get(i);
                Headers headers = new RecordHeaders(
                        new Header[] {EventHeaders.STRUCTURED_CONTENT_TYPE, tenantHeader, acceptedAtHeader});
                send(kafka, new ProducerRecord<>(topic, null, event.key(), event.record(), headers), i, settled);
            }
        };
        KafkaProducer<String, byte[]> channelProducer = producer();
        Producer<String, byte[]> warm = channelProducer.unwrap();
        if (warm != null && System.nanoTime() - lastAcknowledged < WARM_NANOS) {
            sendAll.accept(warm);
            return;
        }
        channelProducer
                .runOnSendingThread(sendAll)
                .subscribe()
                .with(
                        sent -> {},
                        // Only when the producer itself could not be made: no event was sent.
                        failure -> {
                            Exception cause = failure instanceof Exception e ? e : new IllegalStateException(failure);
                            for (int i = 0; i < events.size(); i++) {
                                settled.settled(i, null, cause);
                            }
                        });
    }

    private void send(
            Producer<String, byte[]> kafka, ProducerRecord<String, byte[]> record, int index, Settled settled) {
        Callback callback = (written, failure) -> {
            if (failure == null) {
                lastAcknowledged = System.nanoTime();
            }
            settled.settled(index, failure == null ? written : null, failure);
        };
        try {
            kafka.send(record, callback);
        } catch (RuntimeException e) {
            // Kafka calls back for the failures it reports (ApiException) and throws the others.
            settled.settled(index, null, e);
        }
    }

    /**
     * Publishes a record as it was, headers included (a redrive from the dead-letter queue):
     * the sink treats it like any other, and dedup keeps it from being stored twice. The
     * {@link Uni} completes once Kafka acknowledged the record.
     */
    public Uni<RecordMetadata> republish(String key, byte[] value, Headers headers) {
        return producer().send(new ProducerRecord<>(topic, null, key, value, headers));
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> known = producer;
        if (known == null) {
            known = clients.getProducer(CHANNEL);
            if (known == null) {
                throw new IllegalStateException("the " + CHANNEL + " channel has no Kafka producer");
            }
            producer = known;
        }
        return known;
    }
}
