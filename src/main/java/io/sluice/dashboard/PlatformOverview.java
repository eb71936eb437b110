package io.sluice.dashboard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.pitfalls.Pitfall;
import io.sluice.pitfalls.PitfallGuard;
import io.sluice.reconcile.DriftMetric;
import io.sluice.sink.SinkLag;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.SortedMap;

/**
 * The platform operator's overview: this replica's counters (every tenant's traffic), the
 * partitions' lag, every tenant's dead letters, drift and last hour added up, and the pitfall
 * report. Counters are totals since the replica started; the page turns them into rates.
 */
@ApplicationScoped
class PlatformOverview {

    private static final Duration PITFALLS_MAX_AGE = Duration.ofSeconds(30);

    private final MeterRegistry metrics;
    private final SinkLag lag;
    private final DriftMetric drift;
    private final PitfallGuard pitfalls;
    private final Pool pool;
    private final LastHour lastHour;

    PlatformOverview(
            MeterRegistry metrics,
            SinkLag lag,
            DriftMetric drift,
            PitfallGuard pitfalls,
            Pool pool,
            LastHour lastHour) {
        this.metrics = metrics;
        this.lag = lag;
        this.drift = drift;
        this.pitfalls = pitfalls;
        this.pool = pool;
        this.lastHour = lastHour;
    }

    Uni<ObjectNode> of() {
        Uni<Long> deadLetters = pool.query("SELECT count(*) FROM dead_letters WHERE redriven_at IS NULL")
                .execute()
                .map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine()
                .all()
                .unis(deadLetters, lastHour.minutes(null, Instant.now()), pitfalls.recent(PITFALLS_MAX_AGE))
                .with((dead, minutes, report) -> {
                    ObjectNode answer = JsonNodeFactory.instance.objectNode();
                    answer.put("at", Instant.now().toString());
                    answer.put("scope", "platform");
                    answer.putObject("ingest")
                            .put("accepted", counter("sluice.ingest.events", "outcome", "accepted"))
                            .put("unavailable", counter("sluice.ingest.events", "outcome", "unavailable"));
                    answer.putObject("sink")
                            .put("stored", counter("sluice.sink.stored"))
                            .put("duplicates", counter("sluice.sink.duplicates"))
                            .put("deadLettered", counter("sluice.sink.dead.lettered"));
                    lag(answer.putObject("lag"));
                    answer.put("deadLetters", dead);
                    answer.put("drift", drift.total());
                    lastHour.write(answer.putObject("reconcile"), minutes);
                    pitfalls(answer.putObject("pitfalls"), report);
                    return answer;
                });
    }

    private void lag(ObjectNode node) {
        SortedMap<Integer, Long> partitions = lag.current();
        ObjectNode perPartition = node.putObject("partitions");
        partitions.forEach((partition, value) -> perPartition.put(Integer.toString(partition), value));
        node.put(
                "total", partitions.values().stream().mapToLong(Long::longValue).sum());
    }

    private static void pitfalls(ObjectNode node, PitfallGuard.Report report) {
        node.put("failed", report.failed());
        node.put(
                "warnings",
                report.pitfalls().stream()
                        .filter(p -> p.status() == Pitfall.Status.WARN)
                        .count());
        var failures = node.putArray("failures");
        report.pitfalls().stream()
                .filter(p -> p.status() == Pitfall.Status.FAIL)
                .forEach(p -> failures.add(p.check() + " = " + p.found()));
    }

    /** A counter's total over all its tags, or of the ones named. */
    private double counter(String name, String... tags) {
        return metrics.find(name).tags(tags).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }
}
