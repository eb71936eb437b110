package io.sluice.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.quota.Quota;
import io.sluice.quota.Quotas;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Rules in PostgreSQL, always within one tenant: every statement has the tenant in its
 * WHERE clause, so no id, however guessed, reaches another tenant's rule.
 */
@ApplicationScoped
public class RuleStore {

    private static final String COLUMNS =
            "tenant, id, version, name, kind, severity, event_type, definition::text, created_at, updated_at";

    private static final String QUALIFIED_COLUMNS =
            Arrays.stream(COLUMNS.split(", ")).map(column -> "r." + column).collect(Collectors.joining(", "));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(RuleStore.class);

    private final Pool pool;
    private final Quotas quotas;

    RuleStore(Pool pool, Quotas quotas) {
        this.pool = pool;
        this.quotas = quotas;
    }

    /** The new rule; fails with the rules quota's problem, writing nothing, when the tenant holds its limit. */
    Uni<Rule> create(String tenant, RuleParser.Draft draft) {
        String id = UUID.randomUUID().toString();
        return pool.withTransaction(connection -> quotas.reserve(
                        connection, Quota.RULES, tenant, "SELECT count(*) FROM rules WHERE tenant = $1")
                .chain(() -> connection
                        .preparedQuery(
                                "INSERT INTO rules (tenant, id, version, name, kind, severity, event_type, definition)"
                                        + " VALUES ($1, $2, 1, $3, $4, $5, $6, $7::text::jsonb) RETURNING "
                                        + COLUMNS)
                        .execute(draftValues(tenant, id, draft)))
                .map(rows -> toRule(rows.iterator().next())));
    }

    /**
     * The new version, or null when the rule does not exist (or is at another version than
     * {@code expectedVersion}). A new version starts from a clean slate: what the old one was
     * tracking is forgotten, and an alert it left firing stays in the history as it was.
     */
    Uni<Rule> update(String tenant, String id, RuleParser.Draft draft, Integer expectedVersion) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("UPDATE rules SET version = version + 1, name = $3, kind = $4, severity = $5,"
                        + " event_type = $6, definition = $7::text::jsonb, updated_at = now()"
                        + " WHERE tenant = $1 AND id = $2 AND ($8::int IS NULL OR version = $8) RETURNING " + COLUMNS)
                .execute(draftValues(tenant, id, draft).addValue(expectedVersion))
                .map(RuleStore::firstOrNull)
                .call(updated -> updated == null ? Uni.createFrom().voidItem() : forgetState(connection, tenant, id)));
    }

    Uni<Rule> get(String tenant, String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM rules WHERE tenant = $1 AND id = $2")
                .execute(Tuple.of(tenant, id))
                .map(RuleStore::firstOrNull);
    }

    Uni<List<Rule>> list(String tenant) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM rules WHERE tenant = $1 ORDER BY created_at, id")
                .execute(Tuple.of(tenant))
                .map(RuleStore::all);
    }

    /**
     * Deletes the rule and what it was tracking. An alert it left firing stays in the history
     * as it was: deleting a rule is not the condition clearing.
     */
    Uni<Boolean> delete(String tenant, String id) {
        return pool.withTransaction(connection -> forgetState(connection, tenant, id)
                .chain(() -> connection
                        .preparedQuery("DELETE FROM rules WHERE tenant = $1 AND id = $2")
                        .execute(Tuple.of(tenant, id)))
                .map(rows -> rows.rowCount() == 1));
    }

    /** Drops what the rule tracks: what fires, rate windows, heartbeats. */
    private static Uni<Void> forgetState(SqlClient connection, String tenant, String id) {
        Tuple rule = Tuple.of(tenant, id);
        return connection
                .preparedQuery("DELETE FROM alert_firing WHERE tenant = $1 AND rule_id = $2")
                .execute(rule)
                .chain(() -> connection
                        .preparedQuery("DELETE FROM rule_hits WHERE tenant = $1 AND rule_id = $2")
                        .execute(rule))
                .chain(() -> connection
                        .preparedQuery("DELETE FROM rule_heartbeats WHERE tenant = $1 AND rule_id = $2")
                        .execute(rule))
                .replaceWithVoid();
    }

    /**
     * Every rule of {@code tenants}, read on {@code client} (the sink's transaction). A row
     * that cannot be read is skipped with a warning: one bad rule must not stop the sink.
     */
    public static Uni<List<Rule>> forTenants(SqlClient client, String[] tenants) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM rules WHERE tenant = ANY($1)")
                .execute(Tuple.of(tenants))
                .map(RuleStore::readable);
    }

    private static List<Rule> readable(RowSet<Row> rows) {
        List<Rule> rules = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            try {
                rules.add(toRule(row));
            } catch (RuntimeException e) {
                LOG.warnf("skipping unreadable rule %s of tenant %s: %s", row.getString(1), row.getString(0), e);
            }
        }
        return rules;
    }

    /**
     * The rules that can match events of the pairs ({@code tenants[i]}, {@code types[i]}), read
     * on {@code client} (the sink's transaction): each tenant's rules of those types, through the
     * {@code (tenant, event_type)} index, and its rules for every type. A tenant's rules of other
     * types are not read at all, so they cost a batch nothing. Unreadable rows are skipped as in
     * {@link #forTenants}.
     */
    public static Uni<List<Rule>> forTypes(SqlClient client, String[] tenants, String[] types) {
        // Two index lookups, not one scan: an OR over the pairs would make PostgreSQL read every rule.
        return client.preparedQuery("SELECT " + QUALIFIED_COLUMNS
                        + " FROM unnest($1::text[], $2::text[]) AS p(tenant, type)"
                        + " JOIN rules r ON r.tenant = p.tenant AND r.event_type = p.type"
                        + " UNION ALL SELECT " + COLUMNS + " FROM rules WHERE tenant = ANY($1) AND event_type IS NULL")
                .execute(Tuple.of(tenants, types))
                .map(RuleStore::readable);
    }

    /** $1..$7 of both INSERT and UPDATE: identity, then what the draft defines. */
    private static Tuple draftValues(String tenant, String id, RuleParser.Draft draft) {
        return tuple(
                tenant,
                id,
                draft.name(),
                draft.kind().wireName(),
                draft.severity(),
                draft.eventType(),
                Rule.definition(draft.kind(), draft.threshold(), draft.rate(), draft.absence())
                        .toString());
    }

    /** Unlike {@code Tuple.of}, takes nulls. */
    private static Tuple tuple(Object... values) {
        Tuple tuple = Tuple.tuple();
        for (Object value : values) {
            tuple.addValue(value);
        }
        return tuple;
    }

    private static Rule firstOrNull(RowSet<Row> rows) {
        return rows.rowCount() == 0 ? null : toRule(rows.iterator().next());
    }

    private static List<Rule> all(RowSet<Row> rows) {
        List<Rule> rules = new ArrayList<>(rows.rowCount());
        rows.forEach(row -> rules.add(toRule(row)));
        return rules;
    }

    private static Rule toRule(Row row) {
        JsonNode definition;
        try {
            definition = JSON.readTree(row.getString(7));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rules.definition is not JSON", e);
        }
        Rule columns = new Rule(
                row.getString(0),
                row.getString(1),
                row.getInteger(2),
                row.getString(3),
                RuleKind.of(row.getString(4)),
                row.getString(5),
                row.getString(6),
                null,
                null,
                null,
                row.getOffsetDateTime(8).withOffsetSameInstant(ZoneOffset.UTC).toInstant(),
                row.getOffsetDateTime(9).withOffsetSameInstant(ZoneOffset.UTC).toInstant());
        return columns.withDefinition(definition);
    }
}
