package io.sluice.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

/**
 * The sink's pipeline of batches, without Kafka or a database: the writes run in poll order,
 * each batch is acknowledged after its own write, and a written batch is not kept. The last
 * guards a leak the first version had: each queued write held the one before it, and with it
 * every batch since the start.
 */
class EventSinkPipelineTest {

    private final List<String> events = new ArrayList<>();
    private final List<WeakReference<SinkService.Prepared>> prepared = new ArrayList<>();

    @Test
    void writesInPollOrderAcknowledgesAfterEachWriteAndKeepsNoWrittenBatch() {
        EventSink sink = new EventSink(new RecordingSink(), config(), new SimpleMeterRegistry());
        int batches = 200;
        for (int i = 0; i < batches; i++) {
            int n = i;
            Message<List<byte[]>> batch = Message.of(
                    List.of(),
                    Metadata.of(
                            new IncomingKafkaRecordBatchMetadata<>(ConsumerRecords.empty(), "events-sink", Map.of())),
                    () -> {
                        events.add("ack " + n);
                        return CompletableFuture.completedFuture(null);
                    },
                    failure -> CompletableFuture.completedFuture(null));
            sink.consume(batch).await().atMost(Duration.ofSeconds(10));
        }

        List<String> writes = new ArrayList<>();
        List<String> acks = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            writes.add("write " + i);
            acks.add("ack " + i);
            // With the overlap, batch i+1 may prepare before batch i writes; its ack waits for its write.
            assertThat(events.indexOf("ack " + i)).isGreaterThan(events.indexOf("write " + i));
        }
        assertThat(events.stream().filter(e -> e.startsWith("write")).toList()).isEqualTo(writes);
        assertThat(events.stream().filter(e -> e.startsWith("ack")).toList()).isEqualTo(acks);

        long kept = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            System.gc();
            kept = prepared.stream()
                    .filter(reference -> reference.get() != null)
                    .count();
            if (kept <= 1) {
                break;
            }
        }
        assertThat(kept).as("written batches still reachable").isLessThanOrEqualTo(1);
    }

    /** Records the order of prepares and writes; each write completes at once. */
    private final class RecordingSink extends SinkService {
        private int prepares;
        private int writes;

        RecordingSink() {
            super(null, null, null, null, null, config(), new SimpleMeterRegistry());
        }

        @Override
        public Uni<Prepared> prepare(Iterable<ConsumerRecord<String, byte[]>> records) {
            events.add("prepare " + prepares++);
            Prepared batch = new Prepared(List.of(), List.of(), List.of());
            prepared.add(new WeakReference<>(batch));
            return Uni.createFrom().item(batch);
        }

        @Override
        public Uni<Void> finish(Prepared batch) {
            events.add("write " + writes++);
            return Uni.createFrom().voidItem();
        }
    }

    /** Every setting at its default: the overlap on. */
    private static SluiceConfig config() {
        SluiceConfig.Sink sink = (SluiceConfig.Sink) Proxy.newProxyInstance(
                SluiceConfig.Sink.class.getClassLoader(),
                new Class<?>[] {SluiceConfig.Sink.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "overlapBatches" -> true;
                    case "claimLease", "doneTtl", "initialBackoff", "maxBackoff", "lagInterval" ->
                        Duration.ofSeconds(1);
                    case "maxAttempts" -> 5;
                    default -> null;
                });
        return (SluiceConfig) Proxy.newProxyInstance(
                SluiceConfig.class.getClassLoader(),
                new Class<?>[] {SluiceConfig.class},
                (proxy, method, args) -> method.getName().equals("sink") ? sink : null);
    }
}
