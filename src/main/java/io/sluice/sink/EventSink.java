package io.sluice.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Consumes the events topic in batches, in a pipeline: while one batch is being written to
 * PostgreSQL, the next is decoded and claimed in Redis, and once a batch is committed the next
 * one's transaction starts while the first is still marking its events done in Redis. So the
 * database, Redis and Sluice's own work overlap instead of taking turns. Transactions stay
 * strictly one at a time per consumer, in poll order. A batch is acknowledged only once every
 * record is in PostgreSQL or in the dead-letter topic and its events are marked done, and
 * offsets are committed only up to acknowledged records (auto-commit off, throttled commit
 * strategy, which never commits past a batch not yet acknowledged): a crash anywhere leaves
 * the batches in flight uncommitted, to come again.
 *
 * <p>With {@code mp.messaging.incoming.events-sink.concurrency} above 1, each consumer (each
 * holding its own partitions) has its own pipeline: their transactions run side by side.
 */
@ApplicationScoped
public class EventSink {

    private final SinkService sink;
    private final boolean overlapBatches;
    private final Timer batches;
    /**
     * Per consumer, completes when the batch it polled last is committed; its next batch's
     * transaction starts after that. A future rather than a chain of Unis: a completed future
     * forgets what waited on it, where each Uni would hold the one before it, and with it every
     * batch since the start. The connector calls {@link #consume} for one consumer only once
     * its previous call's answer has completed, so each entry has one writer at a time.
     */
    private final Map<String, CompletableFuture<Void>> lastCommit = new ConcurrentHashMap<>();

    EventSink(SinkService sink, SluiceConfig config, MeterRegistry metrics) {
        this.sink = sink;
        this.overlapBatches = config.sink().overlapBatches();
        this.batches = Timer.builder("sluice.sink.batch")
                .description("Storing one polled batch, from decoding to the last done mark (the wait for the batch"
                        + " ahead and retries included)")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    /**
     * Prepares this batch, queues its transaction behind the previous batch's commit, and
     * answers when that previous batch is committed: the connector then hands over the next
     * batch, which prepares while this one writes. This batch is acknowledged (or, should it
     * fail, nacked, which stops the channel) when it is committed and marked done. With
     * {@code sluice.sink.overlap-batches} off, it answers when this batch is acknowledged
     * instead, and nothing overlaps.
     */
    @Incoming("events-sink")
    public Uni<Void> consume(Message<List<byte[]>> batch) {
        IncomingKafkaRecordBatchMetadata<String, byte[]> metadata = metadata(batch);
        String consumer = metadata.getChannel() + "#" + metadata.getConsumerIndex();
        Timer.Sample sample = Timer.start();
        return sink.prepare(metadata.getRecords()).chain(prepared -> {
            CompletableFuture<Void> committed = new CompletableFuture<>();
            CompletableFuture<Void> acknowledged = new CompletableFuture<>();
            CompletableFuture<Void> ahead = lastCommit.put(consumer, committed);
            Uni.createFrom()
                    .completionStage(ahead != null ? ahead : CompletableFuture.<Void>completedFuture(null))
                    .chain(() -> sink.finish(prepared, () -> committed.complete(null)))
                    .subscribe()
                    .with(
                            done -> {
                                sample.stop(batches);
                                batch.ack();
                                acknowledged.complete(null);
                            },
                            failure -> {
                                batch.nack(failure);
                                committed.completeExceptionally(failure);
                                acknowledged.completeExceptionally(failure);
                            });
            if (!overlapBatches) {
                return Uni.createFrom().completionStage(acknowledged);
            }
            return ahead != null
                    ? Uni.createFrom().completionStage(ahead)
                    : Uni.createFrom().voidItem();
        });
    }

    @SuppressWarnings("unchecked")
    private static IncomingKafkaRecordBatchMetadata<String, byte[]> metadata(Message<List<byte[]>> batch) {
        return batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .map(metadata -> (IncomingKafkaRecordBatchMetadata<String, byte[]>) metadata)
                .orElseThrow(() -> new IllegalStateException("not a Kafka record batch"));
    }
}
