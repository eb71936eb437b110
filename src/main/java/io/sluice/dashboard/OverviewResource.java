package io.sluice.dashboard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.caller.Caller;
import io.sluice.caller.Scopes;
import io.sluice.pitfalls.Pitfall;
import io.sluice.pitfalls.PitfallGuard;
import io.sluice.reconcile.DriftMetric;
import io.sluice.reconcile.ReconcileCounts;
import io.sluice.reconcile.ReconcileCounts.Minute;
import io.sluice.reconcile.SettledHorizon;
import io.sluice.sink.SinkLag;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /v1/admin/overview}: what the operator dashboard shows, in one answer. Counters
 * are this replica's totals since it started (the page turns them into rates); lag, dead
 * letters, drift and the pitfall report are the cluster's and the tenant's.
 */
@Path("/v1/admin/overview")
@RolesAllowed(Scopes.ADMIN)
public class OverviewResource {

    private static final Duration PITFALLS_MAX_AGE = Duration.ofSeconds(30);
    /** The reconciliation tile covers the last hour. */
    private static final Duration RECONCILED = Duration.ofHours(1);

    private static final Duration RECONCILED_REFRESH = Duration.ofSeconds(10);

    private final MeterRegistry metrics;
    private final SinkLag lag;
    private final DriftMetric drift;
    private final ReconcileCounts counts;
    private final SettledHorizon horizon;
    private final PitfallGuard pitfalls;
    private final Pool pool;
    private final Caller caller;
    private final Map<String, Counted> lastHours = new ConcurrentHashMap<>();

    OverviewResource(
            MeterRegistry metrics,
            SinkLag lag,
            DriftMetric drift,
            ReconcileCounts counts,
            SettledHorizon horizon,
            PitfallGuard pitfalls,
            Pool pool,
            Caller caller) {
        this.metrics = metrics;
        this.lag = lag;
        this.drift = drift;
        this.counts = counts;
        this.horizon = horizon;
        this.pitfalls = pitfalls;
        this.pool = pool;
        this.caller = caller;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Ingest and sink totals, lag per partition, dead letters, the last hour's reconciliation, drift"
                    + " and pitfalls, for the dashboard")
    @APIResponse(
            responseCode = "200",
            description = "What the dashboard shows",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    public Uni<ObjectNode> overview() {
        String tenant = caller.tenant();
        Uni<Long> dead = pool.preparedQuery(
                        "SELECT count(*) FROM dead_letters WHERE tenant = $1 AND redriven_at IS NULL")
                .execute(Tuple.of(tenant))
                .map(rows -> rows.iterator().next().getLong(0));
        Instant now = Instant.now();
        Uni<List<Minute>> lastHour = lastHour(tenant, now);
        Uni<PitfallGuard.Report> pitfallReport = pitfalls.recent(PITFALLS_MAX_AGE);
        return Uni.combine().all().unis(dead, lastHour, pitfallReport).with((deadLetters, minutes, report) -> {
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.put("at", Instant.now().toString());
            answer.put("tenant", tenant);
            answer.putObject("ingest")
                    .put("accepted", counter("sluice.ingest.events", "outcome", "accepted"))
                    .put("unavailable", counter("sluice.ingest.events", "outcome", "unavailable"));
            answer.putObject("sink")
                    .put("stored", counter("sluice.sink.stored"))
                    .put("duplicates", counter("sluice.sink.duplicates"))
                    .put("deadLettered", counter("sluice.sink.dead.lettered"));
            ObjectNode lagNode = answer.putObject("lag");
            SortedMap<Integer, Long> partitions = lag.current();
            ObjectNode perPartition = lagNode.putObject("partitions");
            partitions.forEach((partition, value) -> perPartition.put(Integer.toString(partition), value));
            lagNode.put(
                    "total",
                    partitions.values().stream().mapToLong(Long::longValue).sum());
            answer.put("deadLetters", deadLetters);
            answer.put("drift", drift.current(tenant));
            reconciled(answer.putObject("reconcile"), tenant, minutes);
            ObjectNode pitfallNode = answer.putObject("pitfalls");
            pitfallNode.put("failed", report.failed());
            pitfallNode.put(
                    "warnings",
                    report.pitfalls().stream()
                            .filter(p -> p.status() == Pitfall.Status.WARN)
                            .count());
            var failures = pitfallNode.putArray("failures");
            report.pitfalls().stream()
                    .filter(p -> p.status() == Pitfall.Status.FAIL)
                    .forEach(p -> failures.add(p.check() + " = " + p.found()));
            return answer;
        });
    }

    /**
     * The tenant's last hour, summed: what Kafka acknowledged, what was answered 2xx, where the
     * events are, the drift of the settled minutes and how many minutes are still open.
     */
    private void reconciled(ObjectNode node, String tenant, List<Minute> minutes) {
        Instant settledBefore = horizon.settledBefore();
        long drift = 0;
        int open = 0;
        for (Minute minute : minutes) {
            if (SettledHorizon.settled(minute.minute(), settledBefore)) {
                drift += Math.max(0, minute.drift());
            } else {
                open++;
            }
        }
        Minute total = Minute.total(tenant, Instant.EPOCH, minutes);
        node.put("acknowledged", total.accepted())
                .put("answered", total.answered())
                .put("stored", total.stored())
                .put("deduplicated", total.deduplicated())
                .put("deadLettered", total.deadLettered())
                .put("drift", drift)
                .put("openMinutes", open);
    }

    /**
     * The tenant's last hour of reconciliation, counted again at most every
     * {@link #RECONCILED_REFRESH}: it counts an hour of rows, and the page polls every 2 s.
     */
    private Uni<List<Minute>> lastHour(String tenant, Instant now) {
        Counted known = lastHours.get(tenant);
        if (known != null && known.at().plus(RECONCILED_REFRESH).isAfter(now)) {
            return Uni.createFrom().item(known.minutes());
        }
        return counts.minutes(
                        tenant,
                        now.minus(RECONCILED).truncatedTo(ChronoUnit.MINUTES),
                        now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES))
                .invoke(minutes -> lastHours.put(tenant, new Counted(now, minutes)));
    }

    private record Counted(Instant at, List<Minute> minutes) {}

    /** A counter's total over all its tags, or of the ones named. */
    private double counter(String name, String... tags) {
        return metrics.find(name).tags(tags).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }
}
