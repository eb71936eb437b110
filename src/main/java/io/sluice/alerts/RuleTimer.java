package io.sluice.alerts;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.config.SluiceConfig;
import io.sluice.rules.Rule;
import io.sluice.rules.RuleStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * What rules need besides events, on a timer. Absence rules fire on silence, which no event
 * announces: the timer looks for subjects whose last matching event is older than their
 * rule's silence. And rate windows shed hits that no window can reach any more. With several replicas one looks at
 * a time (a transaction-scoped advisory lock); the firing table and stable alert ids make a
 * second look harmless anyway. The alert's window starts at the last time the subject spoke,
 * so the same silence is always the same alert.
 */
@ApplicationScoped
public class RuleTimer {

    private static final Logger LOG = Logger.getLogger(RuleTimer.class);
    /** The advisory lock's key: any constant no other code of the database uses. */
    private static final long LOCK_KEY = 0x5173_6c75_6963_6501L;

    private static final int PAGE = 1000;

    private final Pool pool;
    private final AlertRelay relay;
    private final Vertx vertx;
    private final SluiceConfig.Alerts config;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer;

    RuleTimer(Pool pool, AlertRelay relay, Vertx vertx, SluiceConfig config) {
        this.pool = pool;
        this.relay = relay;
        this.vertx = vertx;
        this.config = config.alerts();
    }

    void start(@Observes StartupEvent startup) {
        timer = vertx.setPeriodic(config.absenceCheckInterval().toMillis(), id -> check());
    }

    /** The pool closes on shutdown: no more rounds that could only fail. */
    void stop(@Observes ShutdownEvent shutdown) {
        vertx.cancelTimer(timer);
    }

    void check() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        pool.withTransaction(connection -> connection
                        .preparedQuery("SELECT pg_try_advisory_xact_lock($1)")
                        .execute(Tuple.of(LOCK_KEY))
                        .chain(rows -> rows.iterator().next().getBoolean(0)
                                ? fireSilent(connection).call(() -> pruneRateHits(connection))
                                : Uni.createFrom().item(0)))
                .subscribe()
                .with(
                        fired -> {
                            running.set(false);
                            if (fired > 0) {
                                relay.kick();
                            }
                        },
                        failure -> {
                            running.set(false);
                            LOG.warnf("checking absence rules failed, retrying: %s", failure.toString());
                        });
    }

    /**
     * Hits older than their rule's window, and a day more: the margin keeps events that arrive
     * late (a backlog, a client's retries) counting in the windows they belong to.
     */
    private static Uni<Void> pruneRateHits(SqlConnection tx) {
        return tx.preparedQuery("""
                        DELETE FROM rule_hits h USING rules r
                         WHERE r.tenant = h.tenant AND r.id = h.rule_id AND r.kind = 'rate'
                           AND h.event_time < now() - (r.definition->>'window')::interval - interval '1 day'
                        """).execute().replaceWithVoid();
    }

    private Uni<Integer> fireSilent(SqlConnection tx) {
        return tx.preparedQuery("""
                        SELECT h.tenant, h.rule_id, h.subject, h.last_seen
                          FROM rule_heartbeats h
                          JOIN rules r ON r.tenant = h.tenant AND r.id = h.rule_id AND r.kind = 'absence'
                         WHERE h.last_seen < now() - (r.definition->>'silence')::interval
                           AND NOT EXISTS (SELECT 1 FROM alert_firing f
                                            WHERE f.tenant = h.tenant AND f.rule_id = h.rule_id AND f.subject = h.subject)
                         LIMIT $1
                        """).execute(Tuple.of(PAGE)).chain(rows -> {
            List<Row> silent = new ArrayList<>();
            rows.forEach(silent::add);
            if (silent.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            String[] tenants =
                    silent.stream().map(row -> row.getString(0)).distinct().toArray(String[]::new);
            return RuleStore.forTenants(tx, tenants).chain(rules -> fireAll(tx, silent, rules));
        });
    }

    private static Uni<Integer> fireAll(SqlConnection tx, List<Row> silent, List<Rule> rules) {
        Map<String, Rule> byId = new HashMap<>();
        rules.forEach(rule -> byId.put(rule.tenant() + "\n" + rule.id(), rule));
        AlertBatch batch = new AlertBatch(new HashMap<>()); // the query left out what fires already
        for (Row row : silent) {
            Rule rule = byId.get(row.getString(0) + "\n" + row.getString(1));
            if (rule == null || rule.absence() == null) {
                continue; // deleted or changed since the first query
            }
            String subject = row.getString(2);
            Instant lastSeen = row.getOffsetDateTime(3).toInstant();
            batch.fire(
                    rule,
                    rule.tenant(),
                    subject,
                    lastSeen,
                    JsonNodeFactory.instance
                            .objectNode()
                            .put("lastSeen", lastSeen.toString())
                            .put("silence", rule.absence().silence().toString()));
        }
        return batch.write(tx);
    }
}
