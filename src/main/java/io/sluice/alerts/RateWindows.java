package io.sluice.alerts;

import io.sluice.alerts.AlertEvaluator.RuleMatch;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The hits of rate rules ({@code rule_hits}), recorded and counted for a whole batch in two
 * statements. Windows are in event time: a hit counts in every window its time falls in,
 * whatever order the events arrived in, including hits of the same batch.
 */
final class RateWindows {

    /** The hits within the window that ends at a match's event, and the earliest of them. */
    record Window(long count, Instant firstHit) {}

    private static final String RECORD = """
            INSERT INTO rule_hits (tenant, rule_id, subject, event_time)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
            """;

    private static final String COUNT = """
            SELECT c.hits, c.first_hit
              FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
                   WITH ORDINALITY AS w(tenant, rule_id, subject, after, until, ord)
             CROSS JOIN LATERAL (
                   SELECT count(*) AS hits, min(h.event_time) AS first_hit FROM rule_hits h
                    WHERE h.tenant = w.tenant AND h.rule_id = w.rule_id AND h.subject = w.subject
                      AND h.event_time > w.after AND h.event_time <= w.until) c
             ORDER BY w.ord
            """;

    private RateWindows() {}

    /** Records a hit per match, then answers each match's window, in the order of {@code matches}. */
    static Uni<List<Window>> record(SqlClient tx, List<RuleMatch> matches) {
        if (matches.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int n = matches.size();
        String[] tenants = new String[n];
        String[] ruleIds = new String[n];
        String[] subjects = new String[n];
        OffsetDateTime[] after = new OffsetDateTime[n];
        OffsetDateTime[] until = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            RuleMatch match = matches.get(i);
            tenants[i] = match.event().tenant();
            ruleIds[i] = match.rule().id();
            subjects[i] = match.event().groupKey();
            until[i] = AlertBatch.utc(match.event().time());
            after[i] = AlertBatch.utc(
                    match.event().time().minus(match.rule().rate().window()));
        }
        return tx.preparedQuery(RECORD)
                .execute(Tuple.of(tenants, ruleIds, subjects, until))
                .chain(() -> tx.preparedQuery(COUNT).execute(Tuple.of(tenants, ruleIds, subjects, after, until)))
                .map(rows -> {
                    List<Window> windows = new ArrayList<>(n);
                    rows.forEach(row -> windows.add(
                            new Window(row.getLong(0), row.getOffsetDateTime(1).toInstant())));
                    return windows;
                });
    }
}
