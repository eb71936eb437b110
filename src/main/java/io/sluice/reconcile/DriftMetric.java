package io.sluice.reconcile;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.reconcile.ReconcileCounts.Minute;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * {@code sluice.reconcile.drift{tenant}}: events Kafka acknowledged in the settled minutes of
 * the {@code sluice.reconcile.drift-window} before the last settled minute that are in no
 * table (not stored, not a dedup hit, not dead-lettered). Anything above 0 is an event that
 * may be lost: alert on it. A minute with more stored than acknowledged (rows whose records
 * the topic no longer holds, counted before the ledger started) does not offset a loss
 * elsewhere.
 */
@ApplicationScoped
public class DriftMetric {

    private static final Logger LOG = Logger.getLogger(DriftMetric.class);

    private final ReconcileCounts counts;
    private final SettledHorizon horizon;
    private final MeterRegistry metrics;
    private final Vertx vertx;
    private final SluiceConfig.Reconcile config;
    private final Map<String, AtomicLong> drift = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    DriftMetric(
            ReconcileCounts counts, SettledHorizon horizon, MeterRegistry metrics, Vertx vertx, SluiceConfig config) {
        this.counts = counts;
        this.horizon = horizon;
        this.metrics = metrics;
        this.vertx = vertx;
        this.config = config.reconcile();
    }

    void start(@Observes StartupEvent startup) {
        if (!config.driftInterval().isZero()) {
            timer = vertx.setPeriodic(config.driftInterval().toMillis(), id -> update());
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    void update() {
        Instant to = horizon.settledBefore();
        if (to == null || !running.compareAndSet(false, true)) {
            return;
        }
        Instant from = to.minus(config.driftWindow());
        counts.minutes(null, from, to)
                .eventually(() -> running.set(false))
                .subscribe()
                .with(this::publish, failure -> LOG.debugf("the drift metric could not be updated: %s", failure));
    }

    private void publish(List<Minute> minutes) {
        Map<String, Long> missing = new HashMap<>();
        for (Minute minute : minutes) {
            missing.merge(minute.tenant(), Math.max(0, minute.drift()), Long::sum);
        }
        // A tenant seen before and quiet now has no drift left, not an unknown one.
        drift.forEach((tenant, value) -> value.set(missing.getOrDefault(tenant, 0L)));
        missing.forEach((tenant, value) -> gauge(tenant).set(value));
    }

    private AtomicLong gauge(String tenant) {
        return drift.computeIfAbsent(tenant, name -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("sluice.reconcile.drift", value, AtomicLong::get)
                    .description("Events Kafka acknowledged in settled minutes that are not stored, deduplicated or"
                            + " dead-lettered")
                    .tag("tenant", name)
                    .register(metrics);
            return value;
        });
    }

    /** The tenant's drift as last computed, for the dashboard. */
    public long current(String tenant) {
        AtomicLong value = drift.get(tenant);
        return value == null ? 0 : value.get();
    }

    /** Every tenant's drift as last computed, added up: the platform's, for its operator's dashboard. */
    public long total() {
        return drift.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
