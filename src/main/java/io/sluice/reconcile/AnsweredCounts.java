package io.sluice.reconcile;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Counts events answered 2xx per tenant and minute of acceptance, in memory, and adds them to
 * {@code accepted_counts} every {@code sluice.reconcile.flush-interval}. Ingest never waits
 * for PostgreSQL: while it is away the counts wait here and are added once it is back.
 *
 * <p>This is the figure "answered", shown beside what Kafka acknowledged ({@link AckLedger}),
 * never the base of the drift: it misses, by nature, the events of a client that hung up
 * before its answer, of an acknowledgement after the client's timeout (503), and of a
 * replica killed before it saved its last interval.
 */
@Singleton
public class AnsweredCounts {

    private static final Logger LOG = Logger.getLogger(AnsweredCounts.class);
    private static final Duration SHUTDOWN_FLUSH_TIMEOUT = Duration.ofSeconds(3);

    private static final String ADD = """
            INSERT INTO accepted_counts (tenant, minute, accepted)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[])
            ON CONFLICT (tenant, minute) DO UPDATE SET accepted = accepted_counts.accepted + excluded.accepted
            """;

    /** A tenant's minute of acceptance. */
    record Bucket(String tenant, Instant minute) {}

    /**
     * A bucket's count and how much of it is in the table. Counters are never swapped out from
     * under a request that is adding to them; a bucket is dropped once it is saved and old
     * enough that no request can still add to it.
     */
    private static final class Count {
        final LongAdder counted = new LongAdder();
        volatile long saved;
    }

    /** Longer than any request can take from acceptance to its answer (ack timeout included). */
    private static final Duration LATE_ADDITIONS = Duration.ofMinutes(5);

    private final Map<Bucket, Count> counts = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final Pool pool;
    private final Vertx vertx;
    private final Duration interval;
    private long timer = -1;

    AnsweredCounts(Pool pool, Vertx vertx, SluiceConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.interval = config.reconcile().flushInterval();
    }

    /** {@code count} events of {@code tenant}, accepted at {@code acceptedAt}, were answered 2xx. */
    public void answered(String tenant, Instant acceptedAt, int count) {
        if (count > 0) {
            counts.computeIfAbsent(new Bucket(tenant, acceptedAt.truncatedTo(ChronoUnit.MINUTES)), b -> new Count())
                    .counted
                    .add(count);
        }
    }

    void start(@Observes StartupEvent startup) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> flush().subscribe().with(ok -> {}, failure -> {}));
    }

    /** What was counted since the last flush goes in before the pool closes. */
    void stop(@Observes ShutdownEvent shutdown) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        try {
            flush().await().atMost(SHUTDOWN_FLUSH_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warnf("answered counts of the last %s could not be saved at shutdown: %s", interval, e.getMessage());
        }
    }

    /** Adds what was counted to the table; on failure it stays unsaved for the next round. */
    Uni<Void> flush() {
        if (!flushing.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        Instant old = Instant.now().minus(LATE_ADDITIONS);
        List<Bucket> buckets = new ArrayList<>();
        List<Long> totals = new ArrayList<>();
        counts.forEach((bucket, count) -> {
            long total = count.counted.sum();
            if (total > count.saved) {
                buckets.add(bucket);
                totals.add(total);
            } else if (bucket.minute().isBefore(old)) {
                counts.remove(bucket);
            }
        });
        if (buckets.isEmpty()) {
            flushing.set(false);
            return Uni.createFrom().voidItem();
        }
        int n = buckets.size();
        String[] tenants = new String[n];
        OffsetDateTime[] minutes = new OffsetDateTime[n];
        Long[] additions = new Long[n];
        for (int i = 0; i < n; i++) {
            Bucket bucket = buckets.get(i);
            tenants[i] = bucket.tenant();
            minutes[i] = bucket.minute().atOffset(ZoneOffset.UTC);
            additions[i] = totals.get(i) - counts.get(bucket).saved;
        }
        return pool.preparedQuery(ADD)
                .execute(Tuple.of(tenants, minutes, additions))
                .invoke(() -> {
                    for (int i = 0; i < n; i++) {
                        counts.get(buckets.get(i)).saved = totals.get(i);
                    }
                })
                .replaceWithVoid()
                .onFailure()
                .invoke(failure -> LOG.debugf("answered counts wait for PostgreSQL: %s", failure.getMessage()))
                .eventually(() -> flushing.set(false));
    }
}
