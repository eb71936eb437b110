package io.sluice.sink;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.kafka.KafkaAdmin;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code sluice.sink.lag{partition}}: per partition of the events topic, how many records are
 * past the sink group's committed offset — what is accepted but not yet stored for sure. Read
 * from the cluster (committed offsets against end offsets), so it holds for the whole group,
 * whichever replica owns the partition, and it is what to scale the sink on.
 */
@ApplicationScoped
public class SinkLag {

    private static final Logger LOG = Logger.getLogger(SinkLag.class);

    private final Admin admin;
    private final MeterRegistry metrics;
    private final Vertx vertx;
    private final String topic;
    private final String group;
    private final SluiceConfig.Sink config;
    private final Map<Integer, AtomicLong> lag = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    SinkLag(
            KafkaAdmin admin,
            MeterRegistry metrics,
            Vertx vertx,
            SluiceConfig config,
            @ConfigProperty(name = "mp.messaging.incoming.events-sink.group.id") String group) {
        this.admin = admin.client();
        this.metrics = metrics;
        this.vertx = vertx;
        this.topic = config.topics().events();
        this.group = group;
        this.config = config.sink();
    }

    void start(@Observes StartupEvent startup) {
        timer = vertx.setPeriodic(config.lagInterval().toMillis(), id -> update());
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** The lag per partition as last read. */
    public SortedMap<Integer, Long> current() {
        SortedMap<Integer, Long> now = new TreeMap<>();
        lag.forEach((partition, value) -> now.put(partition, value.get()));
        return now;
    }

    void update() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        read().eventually(() -> running.set(false))
                .subscribe()
                .with(this::publish, failure -> LOG.debugf("the sink's lag could not be read: %s", failure));
    }

    private Uni<Map<Integer, Long>> read() {
        Uni<TopicDescription> description = Uni.createFrom()
                .completionStage(admin.describeTopics(List.of(topic))
                        .topicNameValues()
                        .get(topic)
                        .toCompletionStage());
        Uni<Map<TopicPartition, OffsetAndMetadata>> committed = Uni.createFrom()
                .completionStage(admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .toCompletionStage());
        return Uni.combine().all().unis(description, committed).asTuple().chain(both -> {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            both.getItem1()
                    .partitions()
                    .forEach(partition ->
                            latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
            return Uni.createFrom()
                    .completionStage(admin.listOffsets(latest).all().toCompletionStage())
                    .map(ends -> {
                        Map<Integer, Long> lags = new HashMap<>();
                        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
                            OffsetAndMetadata done = both.getItem2().get(end.getKey());
                            // Never committed: everything in the partition is still to do.
                            long from = done == null ? 0 : done.offset();
                            lags.put(
                                    end.getKey().partition(),
                                    Math.max(0, end.getValue().offset() - from));
                        }
                        return lags;
                    });
        });
    }

    private void publish(Map<Integer, Long> lags) {
        lags.forEach((partition, value) -> lag.computeIfAbsent(partition, p -> {
                    AtomicLong gauge = new AtomicLong();
                    Gauge.builder("sluice.sink.lag", gauge, AtomicLong::get)
                            .description("Records of the events topic past the sink group's committed offset")
                            .tag("partition", Integer.toString(p))
                            .register(metrics);
                    return gauge;
                })
                .set(value));
    }
}
