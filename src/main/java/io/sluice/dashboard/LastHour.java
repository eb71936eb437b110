package io.sluice.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.reconcile.ReconcileCounts;
import io.sluice.reconcile.ReconcileCounts.Minute;
import io.sluice.reconcile.SettledHorizon;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reconciliation tile: the last hour of one tenant, or of every tenant for the platform's
 * operator, summed. Counted again at most every {@link #REFRESH}: it counts an hour of rows, and
 * the page polls every 2 s.
 */
@ApplicationScoped
class LastHour {

    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration REFRESH = Duration.ofSeconds(10);
    /** The cache's key for every tenant's hour: no tenant can be called this (TenantName). */
    private static final String EVERY_TENANT = "*";

    private final ReconcileCounts counts;
    private final SettledHorizon horizon;
    private final Map<String, Counted> counted = new ConcurrentHashMap<>();

    LastHour(ReconcileCounts counts, SettledHorizon horizon) {
        this.counts = counts;
        this.horizon = horizon;
    }

    /** The minutes of the hour before {@code now} with any count, of {@code tenant} (null: every tenant). */
    Uni<List<Minute>> minutes(String tenant, Instant now) {
        String key = tenant == null ? EVERY_TENANT : tenant;
        Counted known = counted.get(key);
        if (known != null && known.at().plus(REFRESH).isAfter(now)) {
            return Uni.createFrom().item(known.minutes());
        }
        return counts.minutes(
                        tenant,
                        now.minus(HOUR).truncatedTo(ChronoUnit.MINUTES),
                        now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES))
                .invoke(minutes -> counted.put(key, new Counted(now, minutes)));
    }

    /**
     * The minutes summed into {@code node}: what Kafka acknowledged, what was answered 2xx, where
     * the events are, the drift of the settled minutes and how many minutes are still open.
     */
    void write(ObjectNode node, List<Minute> minutes) {
        Instant settledBefore = horizon.settledBefore();
        long drift = 0;
        Set<Instant> open = new HashSet<>();
        for (Minute minute : minutes) {
            // Each minute is one tenant's: an excess in one never offsets a loss in another.
            if (SettledHorizon.settled(minute.minute(), settledBefore)) {
                drift += Math.max(0, minute.drift());
            } else {
                open.add(minute.minute());
            }
        }
        Minute total = Minute.total(null, Instant.EPOCH, minutes);
        node.put("acknowledged", total.accepted())
                .put("answered", total.answered())
                .put("stored", total.stored())
                .put("deduplicated", total.deduplicated())
                .put("deadLettered", total.deadLettered())
                .put("drift", drift)
                .put("openMinutes", open.size());
    }

    private record Counted(Instant at, List<Minute> minutes) {}
}
