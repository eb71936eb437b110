package io.sluice.alerts;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.rules.Rule;
import io.sluice.rules.RuleStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Runs the tenants' rules over events the sink has just stored, inside the sink's transaction:
 * the alerts they raise commit or roll back with the events. Only newly stored events come
 * here, so a redelivered or replayed event never counts twice; stable alert ids and the
 * {@code alerts_identity} constraint guard the rest.
 */
@ApplicationScoped
public class AlertEvaluator {

    static final String FIRING = "firing";
    static final String RESOLVED = "resolved";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Evaluates {@code events} in order; the answer is how many alert transitions were written. */
    public Uni<Integer> evaluate(SqlClient transaction, List<StoredEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        String[] tenants = events.stream().map(StoredEvent::tenant).distinct().toArray(String[]::new);
        return RuleStore.forTenants(transaction, tenants).chain(rules -> {
            if (rules.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return Firing.load(transaction, tenants).chain(firing -> new Pass(transaction, rules, firing).run(events));
        });
    }

    /** What fires now, by (tenant, rule, subject). */
    record Firing(String alertId, Instant windowStart) {

        static Uni<Map<String, Firing>> load(SqlClient client, String[] tenants) {
            return client.preparedQuery(
                            "SELECT tenant, rule_id, subject, alert_id, window_start FROM alert_firing WHERE tenant = ANY($1)")
                    .execute(Tuple.of(tenants))
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

    /** One evaluation of one batch: the rules and firing state it started from, kept current as it goes. */
    private static final class Pass {
        private final SqlClient tx;
        private final Map<String, List<Rule>> rulesByTenant = new HashMap<>();
        private final Map<String, Firing> firing;
        private int written;

        Pass(SqlClient tx, List<Rule> rules, Map<String, Firing> firing) {
            this.tx = tx;
            this.firing = firing;
            rules.forEach(rule -> rulesByTenant
                    .computeIfAbsent(rule.tenant(), t -> new ArrayList<>())
                    .add(rule));
        }

        Uni<Integer> run(List<StoredEvent> events) {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (StoredEvent event : events) {
                JsonNode[] data = new JsonNode[1];
                for (Rule rule : rulesByTenant.getOrDefault(event.tenant(), List.of())) {
                    if (rule.matchesType(event.type())) {
                        chain = chain.chain(() -> apply(rule, event, data));
                    }
                }
            }
            return chain.map(nothing -> written);
        }

        private Uni<Void> apply(Rule rule, StoredEvent event, JsonNode[] data) {
            return switch (rule.kind()) {
                case THRESHOLD -> threshold(rule, event, data);
                case RATE -> rate(rule, event);
                case ABSENCE -> heartbeat(rule, event);
            };
        }

        private Uni<Void> threshold(Rule rule, StoredEvent event, JsonNode[] data) {
            if (data[0] == null) {
                data[0] = parse(event.dataJson());
            }
            JsonNode value = data[0].at(JsonPointer.compile(rule.threshold().pointer()));
            if (!value.isNumber()) {
                return Uni.createFrom().voidItem(); // an event without the number says nothing either way
            }
            double actual = value.asDouble();
            if (rule.threshold().breached(actual)) {
                ObjectNode details = JsonNodeFactory.instance
                        .objectNode()
                        .put("pointer", rule.threshold().pointer())
                        .put("op", rule.threshold().op())
                        .put("threshold", rule.threshold().value())
                        .put("value", actual);
                details.putObject("event").put("source", event.source()).put("id", event.id());
                return fire(rule, event.tenant(), event.groupKey(), event.time(), details);
            }
            return resolve(
                    rule,
                    event.tenant(),
                    event.groupKey(),
                    JsonNodeFactory.instance.objectNode().put("value", actual));
        }

        /** Records the hit, then counts the hits within the window that ends at this event. */
        private Uni<Void> rate(Rule rule, StoredEvent event) {
            Instant from = event.time().minus(rule.rate().window());
            return tx.preparedQuery(
                            "INSERT INTO rule_hits (tenant, rule_id, subject, event_time) VALUES ($1, $2, $3, $4)")
                    .execute(Tuple.of(event.tenant(), rule.id(), event.groupKey(), utc(event.time())))
                    .chain(() -> tx.preparedQuery("SELECT count(*), min(event_time) FROM rule_hits WHERE tenant = $1"
                                    + " AND rule_id = $2 AND subject = $3 AND event_time > $4 AND event_time <= $5")
                            .execute(Tuple.of(
                                    event.tenant(), rule.id(), event.groupKey(), utc(from), utc(event.time()))))
                    .chain(rows -> {
                        var row = rows.iterator().next();
                        long count = row.getLong(0);
                        ObjectNode details = JsonNodeFactory.instance
                                .objectNode()
                                .put("count", count)
                                .put("limit", rule.rate().count())
                                .put("window", rule.rate().window().toString());
                        if (count > rule.rate().count()) {
                            return fire(
                                    rule,
                                    event.tenant(),
                                    event.groupKey(),
                                    row.getOffsetDateTime(1).toInstant(),
                                    details);
                        }
                        return resolve(rule, event.tenant(), event.groupKey(), details);
                    });
        }

        /** The subject spoke: remember when, and end its silence alert if one fires. */
        private Uni<Void> heartbeat(Rule rule, StoredEvent event) {
            return tx.preparedQuery("INSERT INTO rule_heartbeats (tenant, rule_id, subject, last_seen)"
                            + " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, rule_id, subject)"
                            + " DO UPDATE SET last_seen = GREATEST(rule_heartbeats.last_seen, EXCLUDED.last_seen)")
                    .execute(Tuple.of(event.tenant(), rule.id(), event.groupKey(), utc(event.acceptedAt())))
                    .chain(() -> resolve(
                            rule,
                            event.tenant(),
                            event.groupKey(),
                            JsonNodeFactory.instance
                                    .objectNode()
                                    .put("spokeAt", event.acceptedAt().toString())));
        }

        private Uni<Void> fire(Rule rule, String tenant, String subject, Instant windowStart, ObjectNode details) {
            String key = Firing.key(tenant, rule.id(), subject);
            if (firing.containsKey(key)) {
                return Uni.createFrom().voidItem(); // suppressed while it fires
            }
            firing.put(key, new Firing(alertId(tenant, rule.id(), subject, windowStart), windowStart));
            return AlertEvaluator.fire(tx, rule, tenant, subject, windowStart, details)
                    .invoke(added -> written += added ? 1 : 0)
                    .replaceWithVoid();
        }

        private Uni<Void> resolve(Rule rule, String tenant, String subject, ObjectNode details) {
            Firing current = firing.remove(Firing.key(tenant, rule.id(), subject));
            if (current == null) {
                return Uni.createFrom().voidItem();
            }
            return transition(tenant, current.alertId(), RESOLVED, rule, subject, current.windowStart(), details)
                    .chain(() -> tx.preparedQuery(
                                    "DELETE FROM alert_firing WHERE tenant = $1 AND rule_id = $2 AND subject = $3")
                            .execute(Tuple.of(tenant, rule.id(), subject)))
                    .replaceWithVoid();
        }

        private Uni<Void> transition(
                String tenant,
                String alertId,
                String status,
                Rule rule,
                String subject,
                Instant windowStart,
                ObjectNode details) {
            return AlertLog.append(tx, tenant, alertId, status, rule, subject, windowStart, details)
                    .invoke(added -> written += added ? 1 : 0)
                    .replaceWithVoid();
        }
    }

    /**
     * Raises the alert of {@code rule} for {@code subject} and marks it firing, on the caller's
     * transaction; the caller has made sure it does not fire already.
     */
    static Uni<Boolean> fire(
            SqlClient tx, Rule rule, String tenant, String subject, Instant windowStart, ObjectNode details) {
        String alertId = alertId(tenant, rule.id(), subject, windowStart);
        return AlertLog.append(tx, tenant, alertId, FIRING, rule, subject, windowStart, details)
                .call(() -> tx.preparedQuery(
                                "INSERT INTO alert_firing (tenant, rule_id, subject, alert_id, window_start)"
                                        + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                        .execute(Tuple.of(tenant, rule.id(), subject, alertId, utc(windowStart))));
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

    private static JsonNode parse(String json) {
        if (json == null) {
            return JsonNodeFactory.instance.missingNode();
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JsonNodeFactory.instance.missingNode();
        }
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
