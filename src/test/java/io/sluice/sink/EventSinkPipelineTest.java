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
import java.util.HashMap;
import java.util.IdentityHashMap;
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

    @Test
    void theNextTransactionStartsAtTheCommitAndConsumersDoNotWaitForEachOther() {
        GatedSink gated = new GatedSink();
        EventSink sink = new EventSink(gated, config(), new SimpleMeterRegistry());

        CompletableFuture<Void> first = sink.consume(batch(0, 0)).subscribeAsCompletionStage();
        CompletableFuture<Void> second = sink.consume(batch(1, 0)).subscribeAsCompletionStage();
        assertThat(first).as("the first batch has nothing ahead").isCompleted();
        assertThat(gated.writes).as("the second waits for the first's commit").containsExactly(0);
        assertThat(second).isNotCompleted();

        sink.consume(batch(2, 1)).subscribeAsCompletionStage();
        assertThat(gated.writes).as("another consumer's batch writes at once").containsExactly(0, 2);

        gated.committed.get(0).run();
        assertThat(gated.writes).as("the first committed: the second writes").containsExactly(0, 2, 1);
        assertThat(second).isCompleted();
        assertThat(events).as("committed, not yet marked done: no ack").doesNotContain("ack 0");

        gated.finished.get(0).complete(null);
        assertThat(events).contains("ack 0").doesNotContain("ack 1", "ack 2");
    }

    private Message<List<byte[]>> batch(int n, int consumer) {
        return Message.of(
                List.of(),
                Metadata.of(new IncomingKafkaRecordBatchMetadata<>(
                        ConsumerRecords.empty(), "events-sink", consumer, Map.of(), 1)),
                () -> {
                    events.add("ack " + n);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> CompletableFuture.completedFuture(null));
    }

    /** Writes that commit and finish when the test says so. */
    private final class GatedSink extends SinkService {
        private final List<Integer> writes = new ArrayList<>();
        private final Map<Integer, Runnable> committed = new HashMap<>();
        private final Map<Integer, CompletableFuture<Void>> finished = new HashMap<>();
        /** Batches are numbered in the order the test hands them over. */
        private final Map<Prepared, Integer> numbers = new IdentityHashMap<>();

        GatedSink() {
            super(null, null, null, null, null, config(), new SimpleMeterRegistry());
        }

        @Override
        public Uni<Prepared> prepare(Iterable<ConsumerRecord<String, byte[]>> records) {
            Prepared batch = new Prepared(List.of(), List.of(), List.of(), null, 0);
            numbers.put(batch, numbers.size());
            return Uni.createFrom().item(batch);
        }

        @Override
        public Uni<Void> finish(Prepared batch, Runnable commit) {
            int n = numbers.get(batch);
            writes.add(n);
            committed.put(n, commit);
            CompletableFuture<Void> done = new CompletableFuture<>();
            finished.put(n, done);
            return Uni.createFrom().completionStage(done);
        }
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
            Prepared batch = new Prepared(List.of(), List.of(), List.of(), null, 0);
            prepared.add(new WeakReference<>(batch));
            return Uni.createFrom().item(batch);
        }

        @Override
        public Uni<Void> finish(Prepared batch, Runnable committed) {
            events.add("write " + writes++);
            committed.run();
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
