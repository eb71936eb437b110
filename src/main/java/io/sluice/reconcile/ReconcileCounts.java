package io.sluice.reconcile;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Per tenant and minute of acceptance, side by side: events Kafka acknowledged, events
 * answered 2xx, rows in {@code events}, dedup hits, and dead letters (still dead, and
 * redriven). Stored rows are counted in the table itself, so a row deleted behind Sluice's
 * back shows as drift.
 */
@ApplicationScoped
public class ReconcileCounts {

    // $1 null: every tenant (the drift metric); else one tenant (the API).
    private static final String QUERY = """
            WITH acknowledged AS (
                SELECT tenant, minute, acknowledged FROM acknowledged_counts
                 WHERE ($1::text IS NULL OR tenant = $1) AND minute >= $2 AND minute < $3),
            answered AS (
                SELECT tenant, minute, accepted AS answered FROM accepted_counts
                 WHERE ($1::text IS NULL OR tenant = $1) AND minute >= $2 AND minute < $3),
            stored AS (
                SELECT tenant, date_trunc('minute', accepted_at) AS minute, count(*) AS stored FROM events
                 WHERE ($1::text IS NULL OR tenant = $1) AND accepted_at >= $2 AND accepted_at < $3
                 GROUP BY 1, 2),
            deduplicated AS (
                SELECT tenant, date_trunc('minute', accepted_at) AS minute, count(*) AS deduplicated FROM dedup_hits
                 WHERE ($1::text IS NULL OR tenant = $1) AND accepted_at >= $2 AND accepted_at < $3
                 GROUP BY 1, 2),
            dead AS (
                SELECT tenant, date_trunc('minute', accepted_at) AS minute,
                       count(*) FILTER (WHERE redriven_at IS NULL) AS dead_lettered,
                       count(*) FILTER (WHERE redriven_at IS NOT NULL) AS redriven
                  FROM dead_letters
                 -- Poison without a tenant header belongs to no tenant's counts.
                 WHERE ($1::text IS NULL OR tenant = $1) AND tenant IS NOT NULL
                   AND accepted_at >= $2 AND accepted_at < $3
                 GROUP BY 1, 2)
            SELECT tenant, minute, coalesce(acknowledged, 0) AS acknowledged, coalesce(answered, 0) AS answered,
                   coalesce(stored, 0) AS stored, coalesce(deduplicated, 0) AS deduplicated,
                   coalesce(dead_lettered, 0) AS dead_lettered, coalesce(redriven, 0) AS redriven
              FROM acknowledged
              FULL JOIN answered USING (tenant, minute)
              FULL JOIN stored USING (tenant, minute)
              FULL JOIN deduplicated USING (tenant, minute)
              FULL JOIN dead USING (tenant, minute)
             ORDER BY tenant, minute
            """;

    /**
     * One tenant's minute. {@code accepted}: events Kafka acknowledged (the ledger's count);
     * {@code answered}: those of them answered 2xx, less when clients hung up or timed out. A
     * redriven dead letter is counted where its redrive went (stored or dead again), not as
     * dead: {@code accepted = stored + deduplicated + deadLettered} when nothing is lost.
     */
    public record Minute(
            String tenant,
            Instant minute,
            long accepted,
            long answered,
            long stored,
            long deduplicated,
            long deadLettered,
            long redriven) {

        /** The minutes' counts added up, as one minute starting at {@code from}. */
        public static Minute total(String tenant, Instant from, List<Minute> minutes) {
            long[] sums = new long[6];
            for (Minute minute : minutes) {
                sums[0] += minute.accepted();
                sums[1] += minute.answered();
                sums[2] += minute.stored();
                sums[3] += minute.deduplicated();
                sums[4] += minute.deadLettered();
                sums[5] += minute.redriven();
            }
            return new Minute(tenant, from, sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]);
        }

        /** Accepted but nowhere: positive when events are missing. */
        public long drift() {
            return accepted - stored - deduplicated - deadLettered;
        }
    }

    private final Pool pool;

    ReconcileCounts(Pool pool) {
        this.pool = pool;
    }

    /** The minutes in {@code [from, to)} with any count, for {@code tenant} (null: every tenant). */
    public Uni<List<Minute>> minutes(String tenant, Instant from, Instant to) {
        return pool.preparedQuery(QUERY)
                .execute(Tuple.of(tenant, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<Minute> minutes = new ArrayList<>();
                    for (Row row : rows) {
                        minutes.add(new Minute(
                                row.getString("tenant"),
                                row.getOffsetDateTime("minute").toInstant(),
                                row.getLong("acknowledged"),
                                row.getLong("answered"),
                                row.getLong("stored"),
                                row.getLong("deduplicated"),
                                row.getLong("dead_lettered"),
                                row.getLong("redriven")));
                    }
                    return minutes;
                });
    }
}
