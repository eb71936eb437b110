package io.sluice.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.rules.Rule;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alert transitions one transaction decides on, written together at its end: a handful
 * of statements however many alerts a batch raises, and the tenants' stream rows locked only
 * for those last statements rather than from the first alert to the commit.
 *
 * <p>It keeps the firing state current as transitions are added, so a batch that fires,
 * resolves and fires again sees its own changes.
 */
final class AlertBatch {

    private static final String FIRING = "firing";
    private static final String RESOLVED = "resolved";

    /**
     * Takes the row lock of every tenant's stream (in one order, so two transactions never
     * wait on each other crosswise) and creates the rows of tenants' first alerts.
     */
    private static final String LOCK_STREAMS = """
            INSERT INTO alert_streams (tenant, last_seq)
            SELECT tenant, 0 FROM unnest($1::text[]) AS t(tenant) ORDER BY tenant
            ON CONFLICT (tenant) DO UPDATE SET last_seq = alert_streams.last_seq
            """;

    /**
     * Appends the transitions not already in the history, numbered after each tenant's last,
     * in the order they were decided, and moves each tenant's last number on. Run under the
     * stream locks: no other transaction can append for these tenants until ours commits, and
     * this statement's snapshot, taken after the locks, sees everything committed before.
     * {@code raised_at} is when the alert is written, just before the commit.
     */
    private static final String APPEND = """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[],
                                     $7::text[], $8::text[], $9::timestamptz[], $10::text[])
                    WITH ORDINALITY AS i(tenant, alert_id, status, rule_id, rule_version, rule_name, severity,
                                         subject, window_start, details, ord)),
            fresh AS (
                SELECT i.*, s.last_seq + row_number() OVER (PARTITION BY i.tenant ORDER BY i.ord) AS seq
                  FROM input i JOIN alert_streams s ON s.tenant = i.tenant
                 WHERE NOT EXISTS (SELECT 1 FROM alerts a
                                    WHERE a.tenant = i.tenant AND a.alert_id = i.alert_id AND a.status = i.status)),
            appended AS (
                INSERT INTO alerts (tenant, seq, alert_id, status, rule_id, rule_version, rule_name, severity,
                                    subject, window_start, raised_at, details)
                SELECT tenant, seq, alert_id, status, rule_id, rule_version, rule_name, severity,
                       subject, window_start, clock_timestamp(), details::jsonb
                  FROM fresh
                RETURNING tenant, seq),
            moved AS (
                UPDATE alert_streams s SET last_seq = a.last
                  FROM (SELECT tenant, max(seq) AS last FROM appended GROUP BY tenant) a
                 WHERE s.tenant = a.tenant)
            SELECT count(*) FROM appended
            """;

    /** What fires now, by (tenant, rule, subject). */
    record Firing(String alertId, Instant windowStart) {

        /**
         * What fires now for the (tenant, rule, subject) keys of {@code matches}: only those,
         * since a tenant can have any number of alerts firing.
         */
        static Uni<Map<String, Firing>> load(SqlClient client, List<AlertEvaluator.RuleMatch> matches) {
            Map<String, AlertEvaluator.RuleMatch> keys = new LinkedHashMap<>();
            matches.forEach(match -> keys.putIfAbsent(
                    key(match.event().tenant(), match.rule().id(), match.event().groupKey()), match));
            List<AlertEvaluator.RuleMatch> distinct = List.copyOf(keys.values());
            return client.preparedQuery("SELECT f.tenant, f.rule_id, f.subject, f.alert_id, f.window_start"
                            + " FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant, rule_id, subject)"
                            + " JOIN alert_firing f"
                            + " ON f.tenant = k.tenant AND f.rule_id = k.rule_id AND f.subject = k.subject")
                    .execute(Tuple.of(
                            distinct.stream().map(m -> m.event().tenant()).toArray(String[]::new),
                            distinct.stream().map(m -> m.rule().id()).toArray(String[]::new),
                            distinct.stream().map(m -> m.event().groupKey()).toArray(String[]::new)))
                    .map(rows -> {
                        Map<String, Firing> firing = new HashMap<>();
                        rows.forEach(row -> firing.put(
                                key(row.getString(0), row.getString(1), row.getString(2)),
                                new Firing(
                                        row.getString(3),
                                        row.getOffsetDateTime(4).toInstant())));
                        return firing;
                    });
        }

        static String key(String tenant, String ruleId, String subject) {
            return tenant.length() + ":" + tenant + ":" + ruleId + ":" + subject;
        }
    }

    private record Transition(
            String tenant,
            String alertId,
            String status,
            Rule rule,
            String subject,
            Instant windowStart,
            ObjectNode details) {}

    /** A row of {@code alert_firing}; {@code firing} is null for a row to delete. */
    private record FiringRow(String tenant, String ruleId, String subject, Firing firing) {}

    private final Map<String, Firing> firing;
    private final List<Transition> transitions = new ArrayList<>();
    private final Set<String> decided = new HashSet<>();
    /** Keys resolved during the batch: their rows go first. */
    private final Map<String, FiringRow> cleared = new LinkedHashMap<>();
    /** Keys firing at the end of the batch that did not fire at its start. */
    private final Map<String, FiringRow> raised = new LinkedHashMap<>();

    /** Starts from the firing state the transaction read; that map is kept current. */
    AlertBatch(Map<String, Firing> firing) {
        this.firing = firing;
    }

    /** Raises the alert of {@code rule} for {@code subject}, unless it fires already. */
    void fire(Rule rule, String tenant, String subject, Instant windowStart, ObjectNode details) {
        String key = Firing.key(tenant, rule.id(), subject);
        if (firing.containsKey(key)) {
            return; // suppressed while it fires
        }
        Firing now = new Firing(alertId(tenant, rule.id(), subject, windowStart), windowStart);
        firing.put(key, now);
        raised.put(key, new FiringRow(tenant, rule.id(), subject, now));
        add(new Transition(tenant, now.alertId(), FIRING, rule, subject, windowStart, details));
    }

    /** Resolves the alert of {@code rule} for {@code subject}, if one fires. */
    void resolve(Rule rule, String tenant, String subject, ObjectNode details) {
        String key = Firing.key(tenant, rule.id(), subject);
        Firing current = firing.remove(key);
        if (current == null) {
            return;
        }
        raised.remove(key);
        cleared.put(key, new FiringRow(tenant, rule.id(), subject, null));
        add(new Transition(tenant, current.alertId(), RESOLVED, rule, subject, current.windowStart(), details));
    }

    private void add(Transition transition) {
        // The same window can fire, resolve and fire again within a batch: it is one alert.
        if (decided.add(transition.tenant() + "\n" + transition.alertId() + "\n" + transition.status())) {
            transitions.add(transition);
        }
    }

    /** Writes the firing state and appends the transitions; the answer is how many were new. */
    Uni<Integer> write(SqlClient tx) {
        return clearFiring(tx).chain(() -> markFiring(tx)).chain(() -> append(tx));
    }

    private Uni<Void> clearFiring(SqlClient tx) {
        if (cleared.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<FiringRow> rows = List.copyOf(cleared.values());
        return tx.preparedQuery("DELETE FROM alert_firing f USING unnest($1::text[], $2::text[], $3::text[])"
                        + " AS c(tenant, rule_id, subject)"
                        + " WHERE f.tenant = c.tenant AND f.rule_id = c.rule_id AND f.subject = c.subject")
                .execute(Tuple.of(
                        rows.stream().map(FiringRow::tenant).toArray(String[]::new),
                        rows.stream().map(FiringRow::ruleId).toArray(String[]::new),
                        rows.stream().map(FiringRow::subject).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /** Another transaction may have marked a key firing meanwhile: its mark stays. */
    private Uni<Void> markFiring(SqlClient tx) {
        if (raised.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<FiringRow> rows = List.copyOf(raised.values());
        return tx.preparedQuery("INSERT INTO alert_firing (tenant, rule_id, subject, alert_id, window_start)"
                        + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])"
                        + " ON CONFLICT DO NOTHING")
                .execute(Tuple.of(
                        rows.stream().map(FiringRow::tenant).toArray(String[]::new),
                        rows.stream().map(FiringRow::ruleId).toArray(String[]::new),
                        rows.stream().map(FiringRow::subject).toArray(String[]::new),
                        rows.stream().map(row -> row.firing().alertId()).toArray(String[]::new),
                        rows.stream()
                                .map(row -> utc(row.firing().windowStart()))
                                .toArray(OffsetDateTime[]::new)))
                .replaceWithVoid();
    }

    private Uni<Integer> append(SqlClient tx) {
        if (transitions.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        String[] tenants =
                transitions.stream().map(Transition::tenant).distinct().toArray(String[]::new);
        Tuple columns = Tuple.tuple(List.of(
                transitions.stream().map(Transition::tenant).toArray(String[]::new),
                transitions.stream().map(Transition::alertId).toArray(String[]::new),
                transitions.stream().map(Transition::status).toArray(String[]::new),
                transitions.stream().map(t -> t.rule().id()).toArray(String[]::new),
                transitions.stream().map(t -> t.rule().version()).toArray(Integer[]::new),
                transitions.stream().map(t -> t.rule().name()).toArray(String[]::new),
                transitions.stream().map(t -> t.rule().severity()).toArray(String[]::new),
                transitions.stream().map(Transition::subject).toArray(String[]::new),
                transitions.stream().map(t -> utc(t.windowStart())).toArray(OffsetDateTime[]::new),
                transitions.stream().map(t -> t.details().toString()).toArray(String[]::new)));
        return tx.preparedQuery(LOCK_STREAMS)
                .execute(Tuple.of(tenants))
                .chain(() -> tx.preparedQuery(APPEND).execute(columns))
                .map(rows -> (int) rows.iterator().next().getLong(0).longValue());
    }

    /**
     * Rule, subject and window make the alert: the same condition over the same events gives
     * the same id, however often it is evaluated. Length-prefixed so no two inputs share a digest.
     */
    static String alertId(String tenant, String ruleId, String subject, Instant windowStart) {
        String identity = String.join(
                "\n",
                tenant.length() + ":" + tenant,
                ruleId.length() + ":" + ruleId,
                subject.length() + ":" + subject,
                windowStart.toString());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
