package io.sluice.alerts;

import io.sluice.alerts.AlertEvaluator.RuleMatch;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When each subject of an absence rule last spoke ({@code rule_heartbeats}), recorded for a
 * whole batch in one statement; {@link RuleTimer} reads it to find the silent ones.
 */
final class Heartbeats {

    private record Heartbeat(String tenant, String ruleId, String subject, Instant lastSeen) {}

    private Heartbeats() {}

    static Uni<Void> record(SqlClient tx, List<RuleMatch> matches) {
        if (matches.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // One row per subject: a statement may not update the same row twice.
        Map<String, Heartbeat> latest = new LinkedHashMap<>();
        for (RuleMatch match : matches) {
            Heartbeat heartbeat = new Heartbeat(
                    match.event().tenant(),
                    match.rule().id(),
                    match.event().groupKey(),
                    match.event().acceptedAt());
            latest.merge(
                    AlertBatch.Firing.key(heartbeat.tenant(), heartbeat.ruleId(), heartbeat.subject()),
                    heartbeat,
                    (older, newer) -> newer.lastSeen().isAfter(older.lastSeen()) ? newer : older);
        }
        List<Heartbeat> rows = List.copyOf(latest.values());
        return tx.preparedQuery("INSERT INTO rule_heartbeats (tenant, rule_id, subject, last_seen)"
                        + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])"
                        + " ON CONFLICT (tenant, rule_id, subject)"
                        + " DO UPDATE SET last_seen = GREATEST(rule_heartbeats.last_seen, EXCLUDED.last_seen)")
                .execute(Tuple.of(
                        rows.stream().map(Heartbeat::tenant).toArray(String[]::new),
                        rows.stream().map(Heartbeat::ruleId).toArray(String[]::new),
                        rows.stream().map(Heartbeat::subject).toArray(String[]::new),
                        rows.stream().map(row -> AlertBatch.utc(row.lastSeen())).toArray(OffsetDateTime[]::new)))
                .replaceWithVoid();
    }
}
