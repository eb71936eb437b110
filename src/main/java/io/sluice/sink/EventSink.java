package io.sluice.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Consumes the events topic in batches, two at a time in a pipeline: while one batch is being
 * written to PostgreSQL, the next is decoded and claimed in Redis, so the database and Sluice's
 * own work overlap instead of taking turns. Writing stays strictly one batch at a time, in poll
 * order. A batch is acknowledged only once every record is in PostgreSQL or in the dead-letter
 * topic, and offsets are committed only up to acknowledged records (auto-commit off, throttled
 * commit strategy): a crash anywhere leaves both batches uncommitted, to come again.
 */
@ApplicationScoped
public class EventSink {

    private final SinkService sink;
    private final boolean overlapBatches;
    private final Timer batches;
    /**
     * Completes when the write of the batch polled last has; the next batch writes after it.
     * A future rather than a chain of Unis: a completed future forgets what waited on it, where
     * each Uni would hold the one before it, and with it every batch since the start. Only
     * this channel's calls touch it, one after another: the connector calls {@link #consume}
     * again only once the previous call's answer has completed (volatile: not always on the
     * same thread).
     */
    private volatile CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);

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
     * Prepares this batch, queues its write behind the previous batch's, and answers when that
     * previous write is done: the connector then hands over the next batch, which prepares
     * while this one writes. This batch is acknowledged (or, should it fail, nacked, which
     * stops the channel) when its own write completes. With {@code sluice.sink.overlap-batches}
     * off, it answers when its own write is done instead.
     */
    @Incoming("events-sink")
    public Uni<Void> consume(Message<List<byte[]>> batch) {
        ConsumerRecords<String, byte[]> records = records(batch);
        Timer.Sample sample = Timer.start();
        return sink.prepare(records).chain(prepared -> {
            CompletableFuture<Void> ahead = lastWrite;
            CompletableFuture<Void> written = new CompletableFuture<>();
            lastWrite = written;
            Uni.createFrom()
                    .completionStage(ahead)
                    .chain(() -> sink.finish(prepared))
                    .subscribe()
                    .with(
                            done -> {
                                sample.stop(batches);
                                batch.ack();
                                written.complete(null);
                            },
                            failure -> {
                                batch.nack(failure);
                                written.completeExceptionally(failure);
                            });
            return Uni.createFrom().completionStage(overlapBatches ? ahead : written);
        });
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecords<String, byte[]> records(Message<List<byte[]>> batch) {
        return batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .map(metadata -> (ConsumerRecords<String, byte[]>) metadata.getRecords())
                .orElseThrow(() -> new IllegalStateException("not a Kafka record batch"));
    }
}
