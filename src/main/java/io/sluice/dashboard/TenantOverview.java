package io.sluice.dashboard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.reconcile.DriftMetric;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * A tenant admin's overview: that tenant's figures and nothing else. The replica's counters,
 * the partitions' lag and the pitfall report are left out: they add up every tenant's traffic
 * or describe Kafka's settings, the platform's business ({@link PlatformOverview}).
 */
@ApplicationScoped
class TenantOverview {

    private final Pool pool;
    private final DriftMetric drift;
    private final LastHour lastHour;

    TenantOverview(Pool pool, DriftMetric drift, LastHour lastHour) {
        this.pool = pool;
        this.drift = drift;
        this.lastHour = lastHour;
    }

    Uni<ObjectNode> of(String tenant) {
        Uni<Long> deadLetters = pool.preparedQuery(
                        "SELECT count(*) FROM dead_letters WHERE tenant = $1 AND redriven_at IS NULL")
                .execute(Tuple.of(tenant))
                .map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine()
                .all()
                .unis(deadLetters, lastHour.minutes(tenant, Instant.now()))
                .with((dead, minutes) -> {
                    ObjectNode answer = JsonNodeFactory.instance.objectNode();
                    answer.put("at", Instant.now().toString());
                    answer.put("scope", "tenant");
                    answer.put("tenant", tenant);
                    answer.put("deadLetters", dead);
                    answer.put("drift", drift.current(tenant));
                    lastHour.write(answer.putObject("reconcile"), minutes);
                    return answer;
                });
    }
}
