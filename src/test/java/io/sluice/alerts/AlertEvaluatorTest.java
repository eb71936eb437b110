package io.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.sluice.rules.Rule;
import io.sluice.rules.RuleKind;
import io.sluice.rules.RuleStore;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rule evaluation against the real PostgreSQL: a tenant's rules of other types are neither read
 * nor matched, and a batch evaluated in many small passes ends exactly as in one.
 */
@QuarkusTest
class AlertEvaluatorTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    @Inject
    Pool pool;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> tenants = new ArrayList<>();

    @Test
    void aTenantsRulesOfOtherTypesAreNeitherReadNorMatched() {
        String tenant = tenant("index");
        String other = tenant("index-other");
        insertRules(tenant, "temperature", 1);
        insertRules(tenant, null, 1);
        insertRules(tenant, "pressure-", 500);
        insertRules(other, "temperature", 3);

        List<Rule> read = RuleStore.forTypes(pool, new String[] {tenant}, new String[] {"temperature"})
                .await()
                .atMost(WAIT);

        assertThat(read).hasSize(2).allSatisfy(rule -> assertThat(rule.tenant()).isEqualTo(tenant));
        assertThat(read).extracting(Rule::eventType).containsExactlyInAnyOrder("temperature", null);
        AlertEvaluator.RuleIndex index = new AlertEvaluator.RuleIndex(read);
        List<Rule> matched = new ArrayList<>();
        index.forEachMatch(event(tenant, "s", 0, 1), matched::add);
        assertThat(matched).hasSize(2);
        matched.clear();
        index.forEachMatch(event(tenant, "s", 0, 1, "pressure-7"), matched::add);
        assertThat(matched)
                .as("only the rule for every type")
                .extracting(Rule::eventType)
                .containsExactly((String) null);
    }

    @Test
    void aBatchEvaluatedInPassesOfOneMatchEndsAsInOnePass() {
        String whole = tenant("one-pass");
        String split = tenant("passes");
        int[] values = {5, 0, 7, 8, 0, 0, 9, 1};
        assertThat(evaluate(new AlertEvaluator(10_000), whole, values))
                .isEqualTo(evaluate(new AlertEvaluator(1), split, values))
                .isPositive();
        assertThat(history(split)).isEqualTo(history(whole)).isNotEmpty();
    }

    /** Evaluates events of two subjects with {@code values}, against a threshold and a rate rule; the transitions written. */
    private int evaluate(AlertEvaluator evaluator, String tenant, int[] values) {
        List<Rule> rules = List.of(
                rule(tenant, "hot", RuleKind.THRESHOLD, new Rule.Threshold("/v", ">", 4), null),
                rule(tenant, "busy", RuleKind.RATE, null, new Rule.Rate(2, Duration.ofSeconds(3))));
        List<StoredEvent> events = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            events.add(event(tenant, i % 2 == 0 ? "a" : "b", i, values[i]));
        }
        return pool.withTransaction(tx -> evaluator.evaluate(tx, events, rules))
                .await()
                .atMost(WAIT);
    }

    /** The tenant's alert history, in order, without the ids and times that differ between tenants. */
    private List<String> history(String tenant) {
        List<String> history = new ArrayList<>();
        pool.preparedQuery("SELECT rule_id, subject, status FROM alerts WHERE tenant = $1 ORDER BY seq")
                .execute(Tuple.of(tenant))
                .await()
                .atMost(WAIT)
                .forEach(row -> history.add(row.getString(0) + " " + row.getString(1) + " " + row.getString(2)));
        return history;
    }

    private static Rule rule(String tenant, String id, RuleKind kind, Rule.Threshold threshold, Rule.Rate rate) {
        return new Rule(tenant, id, 1, id, kind, "warning", "temperature", threshold, rate, null, START, START);
    }

    private static StoredEvent event(String tenant, String subject, int second, int value) {
        return event(tenant, subject, second, value, "temperature");
    }

    private static StoredEvent event(String tenant, String subject, int second, int value, String type) {
        Instant time = START.plusSeconds(second);
        return new StoredEvent(
                tenant, "/evaluator-test", "e" + second, type, subject, time, time, "{\"v\":" + value + "}");
    }

    private void insertRules(String tenant, String typePrefix, int count) {
        pool.preparedQuery("INSERT INTO rules (tenant, id, version, name, kind, severity, event_type, definition)"
                        + " SELECT $1, 'r' || n || '-' || coalesce($2, 'any'), 1, 'r', 'threshold', 'warning',"
                        + " CASE WHEN $3 = 1 THEN $2 ELSE $2 || n END,"
                        + " '{\"pointer\":\"/v\",\"op\":\">\",\"value\":0}'::jsonb FROM generate_series(1, $3) AS n")
                .execute(Tuple.of(tenant, typePrefix, count))
                .await()
                .atMost(WAIT);
    }

    private String tenant(String name) {
        String tenant = "evaluator-" + name + "-" + run;
        tenants.add(tenant);
        return tenant;
    }

    @AfterEach
    void forgetTenants() {
        for (String table : List.of("rules", "alerts", "alert_streams", "alert_firing", "rule_hits")) {
            pool.preparedQuery("DELETE FROM " + table + " WHERE tenant = ANY($1)")
                    .execute(Tuple.of(tenants.toArray(String[]::new)))
                    .await()
                    .atMost(WAIT);
        }
    }
}
