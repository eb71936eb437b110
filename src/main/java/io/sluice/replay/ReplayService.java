package io.sluice.replay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.sluice.audit.AuditLog;
import io.sluice.config.SluiceConfig;
import io.sluice.error.Problem;
import io.sluice.error.ProblemException;
import io.sluice.error.ProblemType;
import io.sluice.quota.Quota;
import io.sluice.quota.Quotas;
import io.sluice.quota.TenantQuotas;
import io.sluice.record.EventHeaders;
import io.sluice.sink.SinkService;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Replays a tenant's events of a time range from the events topic through the sink's
 * protocol again, so rows lost downstream (a restored backup, rows deleted behind Sluice's
 * back) come back. Idempotent by construction: the database's unique key decides what is
 * new, so a second replay of the same range stores nothing.
 *
 * <p>Each replay reads with a consumer of its own (group {@code sluice-replay-<id>}, partitions
 * assigned, nothing committed), from the first offset at or after {@code from}
 * ({@code offsetsForTimes}) to the first at or after {@code to}; the live sink's offsets are
 * never touched. Only records whose {@code sluice-tenant} header is the caller's are replayed.
 */
@ApplicationScoped
public class ReplayService {

    private static final Logger LOG = Logger.getLogger(ReplayService.class);
    private static final Duration POLL = Duration.ofMillis(500);

    /** Replays waiting for a runner, of all tenants, beyond which a new one is refused (429). */
    static final int MAX_WAITING = 16;
    /** How long an ended replay's progress can still be read. */
    static final Duration KEPT_FOR = Duration.ofHours(1);
    /** At most this many ended replays are kept, the newest; those older than {@link #KEPT_FOR} go first. */
    static final int MAX_KEPT = 1_000;

    private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final Map<String, Object> kafka;
    private final String topic;
    private final SinkService sink;
    private final AuditLog audit;
    private final Quotas quotas;
    private final ReplayRunners runners;
    /** Every replay still running or waiting, and the ended ones kept; guarded by itself for start's checks. */
    private final Map<String, Replay> replays = new ConcurrentHashMap<>();

    ReplayService(
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            SluiceConfig config,
            SinkService sink,
            AuditLog audit,
            Quotas quotas,
            ReplayRunners runners) {
        this.kafka = kafka;
        this.topic = config.topics().events();
        this.sink = sink;
        this.audit = audit;
        this.quotas = quotas;
        this.runners = runners;
    }

    /**
     * Starts a replay (recorded in the audit log first); the answer is its progress so far.
     * Refused, with nothing started, when the range exceeds the tenant's {@code replayRange}
     * quota (422), when the tenant has its {@code replays} quota running or waiting, or when
     * {@link #MAX_WAITING} replays of all tenants wait (429).
     */
    Uni<Replay> start(String tenant, Instant from, Instant to, boolean dryRun, String actor) {
        TenantQuotas limits = quotas.of(tenant);
        if (Duration.between(from, to).compareTo(limits.replayRange()) > 0) {
            throw Quota.REPLAY_RANGE.exceeded(
                    limits.replayRange().toString(),
                    "A replay may cover " + limits.replayRange() + " at most; split the range.",
                    null);
        }
        Replay replay = admit(new Replay(UUID.randomUUID().toString(), tenant, from, to, dryRun), limits);
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.put("from", from.toString());
        detail.put("to", to.toString());
        detail.put("dryRun", dryRun);
        return audit.append(new AuditLog.Entry(tenant, actor, "replay.started", "replay:" + replay.id, detail))
                .onFailure()
                .invoke(() -> replays.remove(replay.id))
                .invoke(() -> runners.run(() -> run(replay)))
                .replaceWith(replay);
    }

    /** Holds {@code replay}'s place (so concurrent starts count it) unless a quota or the queue's bound refuses it. */
    private Replay admit(Replay replay, TenantQuotas limits) {
        synchronized (replays) {
            forgetEnded(Instant.now());
            long tenants = replays.values().stream()
                    .filter(other -> other.tenant.equals(replay.tenant) && other.endedAt() == null)
                    .count();
            if (tenants >= limits.replays()) {
                throw Quota.REPLAYS.exceeded(
                        limits.replays(),
                        "The tenant has " + tenants + " replays running or waiting on this replica, its quota.",
                        RETRY_AFTER);
            }
            long waiting = replays.values().stream().filter(Replay::waiting).count();
            if (waiting >= MAX_WAITING) {
                throw new ProblemException(
                        Problem.of(
                                ProblemType.TOO_MANY_REQUESTS,
                                "This replica has " + waiting + " replays waiting for a runner; retry later."),
                        RETRY_AFTER);
            }
            replays.put(replay.id, replay);
            return replay;
        }
    }

    /** Drops ended replays older than {@link #KEPT_FOR}, then the oldest ended beyond {@link #MAX_KEPT}. */
    private void forgetEnded(Instant now) {
        Instant cutoff = now.minus(KEPT_FOR);
        replays.values()
                .removeIf(replay -> replay.endedAt() != null && replay.endedAt().isBefore(cutoff));
        List<Replay> ended = replays.values().stream()
                .filter(replay -> replay.endedAt() != null)
                .sorted(Comparator.comparing(Replay::endedAt))
                .toList();
        for (int i = 0; i < ended.size() - MAX_KEPT; i++) {
            replays.remove(ended.get(i).id);
        }
    }

    /** Replay {@code id} of {@code tenant}, or null: another tenant's replay is as absent as none. */
    Replay get(String tenant, String id) {
        Replay replay = replays.get(id);
        return replay != null && replay.tenant.equals(tenant) ? replay : null;
    }

    void stop(@Observes ShutdownEvent stopping) {
        replays.values().forEach(Replay::cancel);
    }

    private void run(Replay replay) {
        replay.started();
        try (KafkaConsumer<String, byte[]> consumer = consumer(replay)) {
            Map<TopicPartition, Long> ends = bounds(consumer, replay);
            while (!ends.isEmpty() && !replay.cancelRequested()) {
                List<ConsumerRecord<String, byte[]>> mine = mine(consumer.poll(POLL), ends, replay);
                replay.matched.addAndGet(mine.size());
                if (!replay.dryRun && !mine.isEmpty()) {
                    replay.restored.addAndGet(sink.restore(mine).await().indefinitely());
                }
                ends.entrySet().removeIf(bound -> consumer.position(bound.getKey()) >= bound.getValue());
            }
            replay.end(replay.cancelRequested() ? Replay.Status.CANCELLED : Replay.Status.DONE, null);
        } catch (RuntimeException e) {
            LOG.warnf("replay %s failed: %s", replay.id, e.toString());
            replay.end(Replay.Status.FAILED, "The replay stopped: " + e.getMessage());
        }
        LOG.infof(
                "replay %s of tenant %s %s: %d read, %d matched, %d restored",
                replay.id,
                replay.tenant,
                replay.status(),
                replay.read.get(),
                replay.matched.get(),
                replay.restored.get());
    }

    /** Of {@code polled}, the records before their partition's end that the replay is for; counts those read. */
    private static List<ConsumerRecord<String, byte[]>> mine(
            Iterable<ConsumerRecord<String, byte[]>> polled, Map<TopicPartition, Long> ends, Replay replay) {
        List<ConsumerRecord<String, byte[]>> mine = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : polled) {
            Long end = ends.get(new TopicPartition(record.topic(), record.partition()));
            if (end == null || record.offset() >= end) {
                continue;
            }
            replay.read.incrementAndGet();
            if (inRange(record, replay) && isTenants(record, replay.tenant)) {
                mine.add(record);
            }
        }
        return mine;
    }

    /** Seeks every partition to {@code from}; the answer is where each must stop (partitions with nothing left out). */
    private Map<TopicPartition, Long> bounds(KafkaConsumer<String, byte[]> consumer, Replay replay) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> fromTimes = new HashMap<>();
        Map<TopicPartition, Long> toTimes = new HashMap<>();
        partitions.forEach(partition -> {
            fromTimes.put(partition, replay.from.toEpochMilli());
            toTimes.put(partition, replay.to.toEpochMilli());
        });
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(fromTimes, Duration.ofSeconds(30));
        Map<TopicPartition, OffsetAndTimestamp> stops = consumer.offsetsForTimes(toTimes, Duration.ofSeconds(30));
        Map<TopicPartition, Long> logEnds = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp start = starts.get(partition);
            if (start == null) {
                continue; // nothing at or after `from`
            }
            OffsetAndTimestamp stop = stops.get(partition);
            long end = stop == null ? logEnds.get(partition) : stop.offset();
            if (start.offset() < end) {
                consumer.seek(partition, start.offset());
                ends.put(partition, end);
            }
        }
        consumer.pause(partitions.stream()
                .filter(partition -> !ends.containsKey(partition))
                .toList());
        return ends;
    }

    private KafkaConsumer<String, byte[]> consumer(Replay replay) {
        Map<String, Object> settings = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                settings.put(key, value);
            }
        });
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, "sluice-replay-" + replay.id);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-replay-" + replay.id);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // The end of the size-limit chain, as for the sink: every record the topic takes can be fetched.
        settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2_097_152);
        return new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static boolean inRange(ConsumerRecord<String, byte[]> record, Replay replay) {
        return record.timestamp() >= replay.from.toEpochMilli() && record.timestamp() < replay.to.toEpochMilli();
    }

    private static boolean isTenants(ConsumerRecord<String, byte[]> record, String tenant) {
        return tenant.equals(EventHeaders.text(record.headers(), EventHeaders.TENANT));
    }
}
