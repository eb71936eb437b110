package io.sluice.quota;

import io.sluice.audit.AuditLog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The per-tenant overrides in PostgreSQL ({@code tenant_quotas}); each change is audited with it. */
@ApplicationScoped
class QuotaStore {

    private static final String COLUMNS = "tenant, rules, keys, streams, replays, replay_range_seconds, requests";

    private final Pool pool;
    private final AuditLog audit;

    QuotaStore(Pool pool, AuditLog audit) {
        this.pool = pool;
        this.audit = audit;
    }

    /** Every tenant's overrides. */
    Uni<Map<String, Overrides>> all() {
        return pool.query("SELECT " + COLUMNS + " FROM tenant_quotas").execute().map(rows -> {
            Map<String, Overrides> all = new HashMap<>();
            for (Row row : rows) {
                all.put(row.getString(0), overrides(row));
            }
            return all;
        });
    }

    /** Replaces {@code tenant}'s overrides (all null: back to the defaults). */
    Uni<Void> replace(String tenant, Overrides overrides, String actor, AuditLog.Entry entry) {
        Long rangeSeconds =
                overrides.replayRange() == null ? null : overrides.replayRange().toSeconds();
        return pool.withTransaction(connection -> connection
                .preparedQuery("INSERT INTO tenant_quotas (" + COLUMNS + ", updated_by)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant) DO UPDATE SET"
                        + " rules = $2, keys = $3, streams = $4, replays = $5, replay_range_seconds = $6,"
                        + " requests = $7, updated_by = $8, updated_at = now()")
                .execute(Tuple.from(Arrays.asList(
                        tenant,
                        overrides.rules(),
                        overrides.keys(),
                        overrides.streams(),
                        overrides.replays(),
                        rangeSeconds,
                        overrides.requests(),
                        actor)))
                .call(() -> audit.append(connection, entry))
                .replaceWithVoid());
    }

    /**
     * Within {@code transaction}, waits until no other transaction is adding to {@code tenant}'s
     * {@code quota}, then answers how many it holds ({@code usedSql}, with the tenant as $1) and
     * its limit. The lock is held to the transaction's end, so what is added after the count
     * cannot be raced past the limit by another replica's request.
     */
    static Uni<long[]> usedAndLimit(SqlClient transaction, Quota quota, String tenant, String usedSql, long fallback) {
        // Two statements: under READ COMMITTED a statement sees what was committed when it
        // started, so the count must start after the lock is held, not in the statement taking it.
        return transaction
                .preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))")
                .execute(Tuple.of("sluice.quota." + quota.wireName(), tenant))
                .chain(() -> transaction
                        .preparedQuery("SELECT (" + usedSql + "), COALESCE((SELECT " + quota.column()
                                + " FROM tenant_quotas WHERE tenant = $1), $2::bigint)")
                        .execute(Tuple.of(tenant, fallback)))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new long[] {row.getLong(0), row.getLong(1)};
                });
    }

    private static Overrides overrides(Row row) {
        Long rangeSeconds = row.getLong(5);
        return new Overrides(
                row.getInteger(1),
                row.getInteger(2),
                row.getInteger(3),
                row.getInteger(4),
                rangeSeconds == null ? null : Duration.ofSeconds(rangeSeconds),
                row.getInteger(6));
    }
}
