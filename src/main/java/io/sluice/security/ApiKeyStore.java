package io.sluice.security;

import io.sluice.audit.AuditLog;
import io.sluice.quota.Quota;
import io.sluice.quota.Quotas;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** API keys in PostgreSQL ({@code api_keys}); each change is audited in its own transaction. */
@ApplicationScoped
class ApiKeyStore {

    private static final String COLUMNS = "id, tenant, scopes, key_hash, expires_at, revoked_at";

    /** The keys a tenant holds, for its quota: revoked and expired ones no longer count. */
    private static final String USABLE_OF_TENANT = "SELECT count(*) FROM api_keys WHERE tenant = $1"
            + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())";

    private final Pool pool;
    private final AuditLog audit;
    private final Quotas quotas;

    ApiKeyStore(Pool pool, AuditLog audit, Quotas quotas) {
        this.pool = pool;
        this.audit = audit;
        this.quotas = quotas;
    }

    /** What a key is stored with, besides its hash. */
    record Grant(String tenant, Set<String> scopes, String description, Instant expiresAt) {}

    /** A key as an administrator sees it: everything but the hash. */
    record Listed(
            String id,
            String tenant,
            List<String> scopes,
            String description,
            String createdBy,
            Instant createdAt,
            Instant expiresAt,
            Instant revokedAt) {}

    /** The stored key; fails with the keys quota's problem, writing nothing, when the tenant holds its limit. */
    Uni<Listed> insert(String id, byte[] hash, Grant grant, String actor, AuditLog.Entry entry) {
        return pool.withTransaction(connection -> quotas.reserve(
                        connection, Quota.KEYS, grant.tenant(), USABLE_OF_TENANT)
                .chain(() -> connection
                        .preparedQuery(
                                "INSERT INTO api_keys (id, tenant, scopes, key_hash, description, created_by, expires_at)"
                                        + " VALUES ($1, $2, $3, $4, $5, $6, $7)"
                                        + " RETURNING id, tenant, scopes, description, created_by, created_at, expires_at, revoked_at")
                        .execute(Tuple.tuple()
                                .addString(id)
                                .addString(grant.tenant())
                                .addArrayOfString(grant.scopes().toArray(String[]::new))
                                .addBuffer(Buffer.buffer(hash))
                                .addString(grant.description())
                                .addString(actor)
                                .addOffsetDateTime(
                                        grant.expiresAt() == null
                                                ? null
                                                : grant.expiresAt().atOffset(ZoneOffset.UTC))))
                .map(rows -> listed(rows.iterator().next()))
                .call(() -> audit.append(connection, entry)));
    }

    /** Revokes key {@code id} if it exists and belongs to {@code tenant} (null: any tenant); true if it did. */
    Uni<Boolean> revoke(String id, String tenant, AuditLog.Entry entry) {
        return pool.withTransaction(connection -> connection
                .preparedQuery(
                        "UPDATE api_keys SET revoked_at = now()"
                                + " WHERE id = $1 AND ($2::text IS NULL OR tenant = $2) AND revoked_at IS NULL RETURNING tenant")
                .execute(Tuple.of(id, tenant))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    String owner = rows.iterator().next().getString(0);
                    AuditLog.Entry audited =
                            new AuditLog.Entry(owner, entry.actor(), entry.action(), entry.target(), entry.detail());
                    return audit.append(connection, audited).replaceWith(true);
                }));
    }

    /** Every key that may still be used; a replica answers from this snapshot. */
    Uni<List<ApiKey>> usable() {
        return pool.query("SELECT " + COLUMNS + " FROM api_keys WHERE revoked_at IS NULL"
                        + " AND (expires_at IS NULL OR expires_at > now())")
                .execute()
                .map(rows -> {
                    List<ApiKey> keys = new ArrayList<>();
                    rows.forEach(row -> keys.add(apiKey(row)));
                    return keys;
                });
    }

    /** Key {@code id}, revoked or not, or null. */
    Uni<ApiKey> find(String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows ->
                        rows.rowCount() == 0 ? null : apiKey(rows.iterator().next()));
    }

    /** Keys of {@code tenant} (null: every tenant), newest first. */
    Uni<List<Listed>> list(String tenant) {
        return pool.preparedQuery(
                        "SELECT id, tenant, scopes, description, created_by, created_at, expires_at, revoked_at"
                                + " FROM api_keys WHERE $1::text IS NULL OR tenant = $1 ORDER BY created_at DESC, id")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<Listed> keys = new ArrayList<>();
                    rows.forEach(row -> keys.add(listed(row)));
                    return keys;
                });
    }

    private static ApiKey apiKey(Row row) {
        return new ApiKey(
                row.getString("id"),
                row.getString("tenant"),
                new LinkedHashSet<>(List.of(row.getArrayOfStrings("scopes"))),
                row.getBuffer("key_hash").getBytes(),
                instant(row.getOffsetDateTime("expires_at")),
                instant(row.getOffsetDateTime("revoked_at")));
    }

    private static Listed listed(Row row) {
        return new Listed(
                row.getString("id"),
                row.getString("tenant"),
                List.of(row.getArrayOfStrings("scopes")),
                row.getString("description"),
                row.getString("created_by"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("expires_at")),
                instant(row.getOffsetDateTime("revoked_at")));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
