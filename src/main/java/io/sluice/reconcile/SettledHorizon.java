package io.sluice.reconcile;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.kafka.KafkaAdmin;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Up to when the counts are final: a minute is settled once every event accepted in it is both
 * counted by the ledger and stored (or deduplicated, or dead-lettered) by the sink. Drift in a
 * settled minute is a loss; drift in an open one is events on their way.
 *
 * <p>Every {@code sluice.reconcile.horizon-interval} this notes the time and the end offset of
 * every partition, then reads how far the ledger ({@code ledger_positions}) and the sink (its
 * group's committed offsets, committed only after the rows) have come. Once both have passed a
 * noted set of end offsets, everything appended before that time is counted on both sides; an
 * event appended later was accepted at most {@code sluice.reconcile.max-append-delay} before
 * its append, so every minute that ended before the noted time minus that delay is settled.
 */
@ApplicationScoped
public class SettledHorizon {

    private static final Logger LOG = Logger.getLogger(SettledHorizon.class);
    /** Notes kept while the consumers catch up; past this, new notes wait for old ones to pass. */
    private static final int MAX_NOTES = 600;

    private static final String LEDGER_POSITIONS =
            "SELECT kafka_partition, next_offset FROM ledger_positions WHERE topic = $1";

    /** The end offset of every partition, read at or after {@code at}. */
    private record Note(Instant at, Map<Integer, Long> ends) {}

    private final Admin admin;
    private final Pool pool;
    private final MeterRegistry metrics;
    private final Vertx vertx;
    private final String topic;
    private final String sinkGroup;
    private final SluiceConfig.Reconcile config;
    private final Deque<Note> notes = new ArrayDeque<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Instant settledBefore;
    private long timer = -1;

    SettledHorizon(
            KafkaAdmin admin,
            Pool pool,
            MeterRegistry metrics,
            Vertx vertx,
            SluiceConfig config,
            @ConfigProperty(name = "mp.messaging.incoming.events-sink.group.id") String sinkGroup) {
        this.admin = admin.client();
        this.pool = pool;
        this.metrics = metrics;
        this.vertx = vertx;
        this.topic = config.topics().events();
        this.sinkGroup = sinkGroup;
        this.config = config.reconcile();
    }

    void start(@Observes StartupEvent startup) {
        Gauge.builder("sluice.reconcile.open", this, SettledHorizon::openSeconds)
                .description(
                        "Seconds from the end of the last settled minute to now: how far behind the counts are final")
                .baseUnit("seconds")
                .register(metrics);
        timer = vertx.setPeriodic(config.horizonInterval().toMillis(), id -> update());
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * Minutes that end at or before this are settled; null until the ledger and the sink have
     * been seen caught up with a noted moment (shortly after start when they keep up).
     */
    public Instant settledBefore() {
        return settledBefore;
    }

    /** Seconds since the last settled minute ended; NaN until one has. */
    private double openSeconds() {
        Instant before = settledBefore;
        return before == null
                ? Double.NaN
                : Duration.between(before, Instant.now()).toMillis() / 1000.0;
    }

    /** Whether the minute that starts at {@code minute} ended at or before {@code settledBefore} (null: none has). */
    public static boolean settled(Instant minute, Instant settledBefore) {
        return settledBefore != null && !minute.plus(1, ChronoUnit.MINUTES).isAfter(settledBefore);
    }

    void update() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Instant at = Instant.now();
        ends().chain(ends -> {
                    synchronized (notes) {
                        if (notes.size() < MAX_NOTES) {
                            notes.addLast(new Note(at, ends));
                        }
                    }
                    return Uni.combine()
                            .all()
                            .unis(sinkPositions(), ledgerPositions())
                            .asTuple();
                })
                .invoke(positions -> passed(positions.getItem1(), positions.getItem2()))
                .eventually(() -> running.set(false))
                .subscribe()
                .with(passed -> {}, failure -> LOG.debugf("the settled horizon could not be read: %s", failure));
    }

    /** Drops the notes both sides have passed, and settles up to the last of them. */
    private void passed(Map<Integer, Long> sink, Map<Integer, Long> ledger) {
        Note last = null;
        synchronized (notes) {
            while (!notes.isEmpty() && passedBy(notes.peekFirst(), sink) && passedBy(notes.peekFirst(), ledger)) {
                last = notes.removeFirst();
            }
        }
        if (last != null) {
            settledBefore = last.at().minus(config.maxAppendDelay()).truncatedTo(ChronoUnit.MINUTES);
        }
    }

    private static boolean passedBy(Note note, Map<Integer, Long> positions) {
        for (Map.Entry<Integer, Long> end : note.ends().entrySet()) {
            // An empty partition needs no reader; one never read has position 0.
            if (end.getValue() > positions.getOrDefault(end.getKey(), 0L)) {
                return false;
            }
        }
        return true;
    }

    private Uni<Map<Integer, Long>> ends() {
        return Uni.createFrom()
                .completionStage(admin.describeTopics(List.of(topic))
                        .topicNameValues()
                        .get(topic)
                        .toCompletionStage())
                .chain(description -> {
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    description
                            .partitions()
                            .forEach(partition ->
                                    latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
                    return Uni.createFrom()
                            .completionStage(admin.listOffsets(latest).all().toCompletionStage());
                })
                .map(offsets -> {
                    Map<Integer, Long> ends = new HashMap<>();
                    offsets.forEach((partition, end) -> ends.put(partition.partition(), end.offset()));
                    return ends;
                });
    }

    private Uni<Map<Integer, Long>> sinkPositions() {
        return Uni.createFrom()
                .completionStage(admin.listConsumerGroupOffsets(sinkGroup)
                        .partitionsToOffsetAndMetadata()
                        .toCompletionStage())
                .map(committed -> {
                    Map<Integer, Long> positions = new HashMap<>();
                    for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
                        if (entry.getKey().topic().equals(topic) && entry.getValue() != null) {
                            positions.put(
                                    entry.getKey().partition(), entry.getValue().offset());
                        }
                    }
                    return positions;
                });
    }

    private Uni<Map<Integer, Long>> ledgerPositions() {
        return pool.preparedQuery(LEDGER_POSITIONS).execute(Tuple.of(topic)).map(rows -> {
            Map<Integer, Long> positions = new HashMap<>();
            rows.forEach(row -> positions.put(row.getInteger("kafka_partition"), row.getLong("next_offset")));
            return positions;
        });
    }
}
